"""Join synthesised pieces without clicks and encode them to MP3 (lameenc: no ffmpeg needed)."""

import array

import lameenc

FADE_SECONDS = 0.006  # short fades at each piece's ends: no click where two waveforms meet
PAUSE_SECONDS = 0.35  # between paragraphs, as a reader breathes


def join(pieces, sample_rate, *, pause=PAUSE_SECONDS):
    """Concatenate 16-bit mono PCM pieces with faded edges and a pause between them."""
    fade = max(1, int(sample_rate * FADE_SECONDS))
    silence = array.array("h", bytes(int(sample_rate * pause) * 2))
    out = array.array("h")
    for index, pcm in enumerate(pieces):
        samples = array.array("h", pcm)
        n = len(samples)
        for i in range(min(fade, n // 2)):
            gain = i / fade
            samples[i] = int(samples[i] * gain)
            samples[n - 1 - i] = int(samples[n - 1 - i] * gain)
        if index:
            out.extend(silence)
        out.extend(samples)
    return out.tobytes()


def to_mp3(pcm, sample_rate, *, bitrate=64):
    """Encode 16-bit mono PCM to MP3 (64 kbit/s suits speech)."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(2)
    return bytes(encoder.encode(pcm) + encoder.flush())


def duration_seconds(pcm, sample_rate):
    return len(pcm) / 2 / sample_rate
