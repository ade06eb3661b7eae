"""Narration speed: real-time factor and wall time, and how soon audio is live after publishing.

    .venv/bin/python bench/narration.py                # 300- and 1,500-word articles, Piper
    .venv/bin/python bench/narration.py --voice espeak-ng:en-us

Prints, per article length: words, audio duration, synthesis time, real-time factor (synthesis time
divided by audio duration: lower is faster), MP3 encoding time and size. Then publishes a
1,000-word article on a scratch site (SQLite, the database task queue, a real `newsroom_worker`
process) and prints the seconds from publishing until the narration is ready.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def article_words(writer, count):
    """Generated news prose (the demo's own writer) of about `count` words, in paragraphs."""
    paragraphs, words = [], 0
    while words < count:
        for paragraph in writer.paragraphs("energy", 3):
            paragraphs.append(paragraph)
            words += len(paragraph.split())
            if words >= count:
                break
    return paragraphs


def measure(voice, paragraphs):
    from masthead.audio import encoding, engines
    from masthead.audio.speech_text import speakable

    engine = engines.get_engine(voice)
    engine.synthesize_many(["Warming up.", "The pool too."])  # start worker processes, if any
    started = time.perf_counter()
    speeches = engine.synthesize_many([speakable(paragraph) for paragraph in paragraphs])
    synthesis = time.perf_counter() - started
    rate = speeches[0].sample_rate
    pcm = encoding.join([speech.pcm for speech in speeches], rate)
    started = time.perf_counter()
    mp3 = encoding.to_mp3(pcm, rate)
    encode = time.perf_counter() - started
    return encoding.duration_seconds(pcm, rate), synthesis, encode, len(mp3)


def scratch_environment():
    """A scratch site: its own SQLite database and media under a temporary folder."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings.dev",
        "MASTHEAD_VAR_DIR": tempfile.mkdtemp(prefix="masthead-narration-bench-"),
        "TASKS_BACKEND": "database",
        "SCHEDULER_INTERVAL": "3600",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    return env


def publish_to_live(voice, words, env):
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "seed", "--articles", "2", "--feed-items", "2", "--days", "1"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    worker = subprocess.Popen([*manage, "newsroom_worker"], cwd=ROOT, env=env)
    try:
        import django

        django.setup()
        from django.db import transaction

        from masthead.audio.models import AudioSettings, Narration
        from masthead.content.models import ArticleIndexPage, SectionPage
        from masthead.content.tests.factories import ArticlePageFactory
        from masthead.demo.writing import Writer

        index = ArticleIndexPage.objects.first()
        config = AudioSettings.for_site(index.get_site())
        config.voice = voice
        config.save()
        # let the worker boot and drain the seed's own narrations: we time one publish alone
        deadline = time.monotonic() + 600
        while Narration.objects.filter(state="pending").exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        paragraphs = article_words(Writer(random.Random(7)), words)
        body = [{"type": "paragraph", "value": f"<p>{p}</p>"} for p in paragraphs]
        started = time.perf_counter()
        with transaction.atomic():
            article = ArticlePageFactory(
                parent=index,
                title="Bench: the long night",
                body=body,
                section=SectionPage.objects.live().first(),
            )
        while True:
            narration = Narration.objects.filter(article=article).first()
            if narration and narration.state in ("ready", "failed"):
                break
            time.sleep(0.1)
        return time.perf_counter() - started, narration
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voice", default="piper:en_US-joe-medium")
    parser.add_argument("--lengths", default="300,1500")
    parser.add_argument("--publish-words", type=int, default=1000)
    args = parser.parse_args()

    env = scratch_environment()
    os.environ.update(env)  # before anything reads Django's settings
    from masthead.demo.writing import Writer

    print(f"Voice: {args.voice} on {os.cpu_count()} cores")
    print(f"{'words':>6} {'audio s':>8} {'synth s':>8} {'RTF':>6} {'mp3 s':>6} {'mp3 KB':>7}")
    for count in (int(n) for n in args.lengths.split(",")):
        paragraphs = article_words(Writer(random.Random(count)), count)
        words = sum(len(p.split()) for p in paragraphs)
        audio, synthesis, encode, size = measure(args.voice, paragraphs)
        print(
            f"{words:>6} {audio:>8.1f} {synthesis:>8.2f} {synthesis / audio:>6.3f} "
            f"{encode:>6.2f} {size / 1024:>7.0f}"
        )
    seconds, narration = publish_to_live(args.voice, args.publish_words, env)
    print(
        f"Publish to live ({narration.words} words, {narration.duration_seconds:.0f} s of audio, "
        f"{narration.state}): {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
