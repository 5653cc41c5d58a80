//! Encoded audio in, 16 kHz mono samples out: the container is recognised by
//! its content (never by a file name), the first audio track is decoded with
//! symphonia, channels are averaged and the rate converted.

use std::panic::{catch_unwind, AssertUnwindSafe};

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{self, CodecType, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::mp4_edits::{self, Trim};
use crate::resample::Resampler;

/// The rate every `Audio` is held at: what speech recognisers expect, and
/// more than the fingerprint needs (it uses 11,025 Hz).
pub const SAMPLE_RATE: u32 = 16_000;

/// Packets that may fail to decode before the stream is refused as corrupt.
/// Real files sometimes carry a damaged frame or two (a cut at the start of a
/// stream, a bad sector); more than this is damage, not an accident.
const MAX_CORRUPT_PACKETS: usize = 3;

/// Decoded audio: mono, 16 kHz, samples in [-1, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Mono samples at `sample_rate`.
    pub samples: Vec<f32>,
    /// Always [`SAMPLE_RATE`].
    pub sample_rate: u32,
    /// `samples.len() / sample_rate`.
    pub duration_s: f64,
    /// The rate of the source before conversion.
    pub source_rate: u32,
    /// Channels in the source before down-mixing.
    pub channels: u16,
    /// The codec of the source (`mp3`, `aac`, `vorbis`, `flac`, `pcm_s16le`, …).
    pub codec: String,
}

/// Limits on what will be decoded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AudioLimits {
    /// Longest audio accepted, in seconds. Decoding stops as soon as it is
    /// passed (or before starting, when the header declares a longer
    /// stream), so a long file costs no more than the limit.
    pub max_duration_s: f64,
}

impl Default for AudioLimits {
    /// Ten minutes.
    fn default() -> AudioLimits {
        AudioLimits {
            max_duration_s: 600.0,
        }
    }
}

/// Why audio could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// No container or stream format that Vigil reads recognised the bytes.
    #[error("not audio: no supported format (WAV, MP3, Ogg, FLAC, MP4/M4A, ADTS AAC) recognised the {bytes} bytes")]
    NotAudio {
        /// Size of the input.
        bytes: usize,
    },
    /// The container was recognised but holds no audio track.
    #[error("the container holds no audio track")]
    NoAudioTrack,
    /// The audio track's codec is not one Vigil decodes.
    #[error("unsupported codec `{codec}` (Vigil decodes MP3, AAC-LC, Vorbis, FLAC and PCM)")]
    UnsupportedCodec {
        /// The codec's name, or its symphonia id in hex.
        codec: String,
    },
    /// The stream's header is unusable (no sample rate, no channels, …).
    #[error("malformed {codec} stream: {reason}")]
    Malformed {
        /// The codec.
        codec: String,
        /// What is wrong.
        reason: String,
    },
    /// Too many packets failed to decode.
    #[error("corrupt {codec} packet at {at_s:.2} s: {reason}")]
    CorruptPacket {
        /// The codec.
        codec: String,
        /// Where the first bad packet starts, in seconds.
        at_s: f64,
        /// The decoder's complaint.
        reason: String,
    },
    /// The audio is longer than `AudioLimits::max_duration_s`.
    #[error(
        "audio longer than the limit max_duration_s = {limit_s} s (at least {at_least_s:.1} s)"
    )]
    TooLong {
        /// The limit.
        limit_s: f64,
        /// How much was seen (or declared) before stopping.
        at_least_s: f64,
    },
    /// The decoder library panicked on this input (a bug in it; the input is
    /// refused instead of bringing the process down).
    #[error("the {codec} decoder failed on this input (internal panic)")]
    DecoderPanic {
        /// The codec, or `probe` if it happened while recognising the format.
        codec: String,
    },
    /// PCM was given with a sample rate of zero.
    #[error("sample rate must be above 0")]
    ZeroSampleRate,
}

impl Audio {
    /// Audio from 16-bit mono PCM, such as ffmpeg extracts from a video
    /// (`-f s16le -ac 1`); converted to 16 kHz if `rate` differs.
    ///
    /// ```
    /// let audio = vigil_audio::Audio::from_pcm16(&[0i16; 8000], 8000).expect("rate above 0");
    /// assert_eq!(audio.samples.len(), 16000);
    /// assert!((audio.duration_s - 1.0).abs() < 1e-9);
    /// ```
    pub fn from_pcm16(samples: &[i16], rate: u32) -> Result<Audio, AudioError> {
        if rate == 0 {
            return Err(AudioError::ZeroSampleRate);
        }
        let floats: Vec<f32> = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
        let converted = Resampler::convert(&floats, rate, SAMPLE_RATE);
        Ok(Audio::new(converted, rate, 1, "pcm_s16le".to_owned()))
    }

    /// Keeps only the part of the audio an MP4 edit list says is real.
    fn apply(&mut self, trim: Trim) {
        let rate = f64::from(self.sample_rate);
        if trim.skip_s.is_finite() && trim.skip_s > 0.0 {
            let skip = ((trim.skip_s * rate).round() as usize).min(self.samples.len());
            self.samples.drain(..skip);
        }
        if trim.keep_s.is_finite() && trim.keep_s > 0.0 {
            self.samples.truncate((trim.keep_s * rate).round() as usize);
        }
        self.duration_s = self.samples.len() as f64 / rate;
    }

    fn new(samples: Vec<f32>, source_rate: u32, channels: u16, codec: String) -> Audio {
        let duration_s = samples.len() as f64 / f64::from(SAMPLE_RATE);
        Audio {
            samples,
            sample_rate: SAMPLE_RATE,
            duration_s,
            source_rate,
            channels,
            codec,
        }
    }
}

/// Decodes WAV, MP3, Ogg Vorbis, FLAC or AAC (MP4/M4A or ADTS) to 16 kHz mono.
///
/// The format is recognised from the bytes. Errors name the problem; the
/// decoder libraries are also guarded against panics, so garbage in gives an
/// error, never a crash.
pub fn decode(bytes: &[u8], limits: &AudioLimits) -> Result<Audio, AudioError> {
    match catch_unwind(AssertUnwindSafe(|| decode_unguarded(bytes, limits))) {
        Ok(result) => result,
        Err(_) => Err(AudioError::DecoderPanic {
            codec: "symphonia".to_owned(),
        }),
    }
}

fn decode_unguarded(bytes: &[u8], limits: &AudioLimits) -> Result<Audio, AudioError> {
    let source = MediaSourceStream::new(
        Box::new(std::io::Cursor::new(bytes.to_vec())),
        Default::default(),
    );
    let format_options = FormatOptions {
        // Trim encoder delay and padding (MP3 LAME/Xing, MP4 edit lists), so
        // durations and timings match the audio as it was before encoding.
        enable_gapless: true,
        ..Default::default()
    };
    let probed = symphonia::default::get_probe()
        .format(
            &Hint::new(),
            source,
            &format_options,
            &MetadataOptions::default(),
        )
        .map_err(|_| AudioError::NotAudio { bytes: bytes.len() })?;
    let mut reader = probed.format;
    let mut audio = decode_track(reader.as_mut(), limits)?;
    if let Some(trim) = mp4_edits::audio_trim(bytes) {
        audio.apply(trim);
    }
    Ok(audio)
}

/// The facts about the track that decoding needs, checked.
struct TrackInfo {
    id: u32,
    codec: String,
    /// Seconds per timestamp unit, for naming where a bad packet is.
    seconds_per_tick: f64,
}

fn decode_track(reader: &mut dyn FormatReader, limits: &AudioLimits) -> Result<Audio, AudioError> {
    let track = reader
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != codecs::CODEC_TYPE_NULL)
        .ok_or(AudioError::NoAudioTrack)?;
    let params = track.codec_params.clone();
    let codec = codec_name(params.codec);
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|_| AudioError::UnsupportedCodec {
            codec: codec.clone(),
        })?;
    let seconds_per_tick = match (params.time_base, params.sample_rate) {
        (Some(tb), _) if tb.numer > 0 && tb.denom > 0 => f64::from(tb.numer) / f64::from(tb.denom),
        (_, Some(rate)) if rate > 0 => 1.0 / f64::from(rate),
        _ => 0.0,
    };
    let info = TrackInfo {
        id: track.id,
        codec,
        seconds_per_tick,
    };
    if let (Some(frames), Some(rate)) = (params.n_frames, params.sample_rate) {
        if rate > 0 {
            let declared_s = frames as f64 / f64::from(rate);
            if declared_s > limits.max_duration_s {
                return Err(AudioError::TooLong {
                    limit_s: limits.max_duration_s,
                    at_least_s: declared_s,
                });
            }
        }
    }

    let mut state = DecodeState::default();
    let mut sample_buffer: Option<SampleBuffer<f32>> = None;
    loop {
        let packet = match reader.next_packet() {
            Ok(packet) => packet,
            // The normal end of a stream, and the end of a truncated one:
            // what was read so far is the audio.
            Err(SymphoniaError::IoError(_)) => break,
            Err(SymphoniaError::ResetRequired) => break,
            Err(e) => {
                state.corrupt(&info, 0.0, e.to_string())?;
                continue;
            }
        };
        if packet.track_id() != info.id {
            continue;
        }
        let at_s = packet.ts() as f64 * info.seconds_per_tick;
        match decoder.decode(&packet) {
            Ok(decoded) => {
                let spec = *decoded.spec();
                if spec.rate == 0 || spec.channels.count() == 0 {
                    return Err(AudioError::Malformed {
                        codec: info.codec,
                        reason: "no sample rate or no channels".to_owned(),
                    });
                }
                let frames = decoded.frames();
                if frames == 0 {
                    continue;
                }
                let buffer = sample_buffer.get_or_insert_with(|| {
                    SampleBuffer::<f32>::new(decoded.capacity() as u64, spec)
                });
                if buffer.capacity() < decoded.capacity() * spec.channels.count() {
                    *buffer = SampleBuffer::<f32>::new(decoded.capacity() as u64, spec);
                }
                buffer.copy_interleaved_ref(decoded);
                let interleaved = buffer.samples();
                state.take(interleaved, spec.rate, spec.channels.count(), &info)?;
                if state.source_seconds() > limits.max_duration_s {
                    return Err(AudioError::TooLong {
                        limit_s: limits.max_duration_s,
                        at_least_s: state.source_seconds(),
                    });
                }
            }
            Err(SymphoniaError::DecodeError(reason)) => {
                state.corrupt(&info, at_s, reason.to_owned())?;
            }
            Err(SymphoniaError::IoError(_)) => break,
            Err(e) => {
                state.corrupt(&info, at_s, e.to_string())?;
            }
        }
    }
    state.finish(info.codec)
}

/// What decoding has produced so far.
#[derive(Default)]
struct DecodeState {
    /// Set by the first decoded packet; the stream's rate and channel count.
    format: Option<(u32, usize)>,
    resampler: Option<Resampler>,
    mono: Vec<f32>,
    output: Vec<f32>,
    source_frames: u64,
    corrupt_packets: usize,
    first_corrupt: Option<(f64, String)>,
}

impl DecodeState {
    /// Down-mixes one decoded packet and feeds it to the resampler.
    fn take(
        &mut self,
        interleaved: &[f32],
        rate: u32,
        channels: usize,
        info: &TrackInfo,
    ) -> Result<(), AudioError> {
        match self.format {
            None => {
                self.format = Some((rate, channels));
                self.resampler = Some(Resampler::new(rate, SAMPLE_RATE));
            }
            Some(format) if format != (rate, channels) => {
                return Err(AudioError::Malformed {
                    codec: info.codec.clone(),
                    reason: format!(
                        "the stream changes from {} Hz × {} channels to {rate} Hz × {channels}",
                        format.0, format.1
                    ),
                });
            }
            Some(_) => {}
        }
        self.mono.clear();
        if channels == 1 {
            self.mono.extend_from_slice(interleaved);
        } else {
            let scale = 1.0 / channels as f32;
            self.mono.extend(
                interleaved
                    .chunks_exact(channels)
                    .map(|frame| frame.iter().sum::<f32>() * scale),
            );
        }
        self.source_frames += self.mono.len() as u64;
        if let Some(resampler) = self.resampler.as_mut() {
            resampler.push(&self.mono, &mut self.output);
        }
        Ok(())
    }

    fn source_seconds(&self) -> f64 {
        match self.format {
            Some((rate, _)) => self.source_frames as f64 / f64::from(rate),
            None => 0.0,
        }
    }

    /// Counts a bad packet; fails once there are too many.
    fn corrupt(&mut self, info: &TrackInfo, at_s: f64, reason: String) -> Result<(), AudioError> {
        self.corrupt_packets += 1;
        let (first_at, first_reason) = self.first_corrupt.get_or_insert((at_s, reason)).clone();
        if self.corrupt_packets > MAX_CORRUPT_PACKETS {
            return Err(AudioError::CorruptPacket {
                codec: info.codec.clone(),
                at_s: first_at,
                reason: first_reason,
            });
        }
        Ok(())
    }

    fn finish(mut self, codec: String) -> Result<Audio, AudioError> {
        let Some((rate, channels)) = self.format else {
            // Nothing decoded: either every packet was bad or there were none.
            return Err(match self.first_corrupt {
                Some((at_s, reason)) => AudioError::CorruptPacket {
                    codec,
                    at_s,
                    reason,
                },
                None => AudioError::Malformed {
                    codec,
                    reason: "the stream holds no audio samples".to_owned(),
                },
            });
        };
        if let Some(resampler) = self.resampler.as_mut() {
            resampler.finish(&mut self.output);
        }
        let channels = u16::try_from(channels).unwrap_or(u16::MAX);
        Ok(Audio::new(self.output, rate, channels, codec))
    }
}

/// A readable name for a codec id, including codecs Vigil does not decode.
fn codec_name(codec: CodecType) -> String {
    if let Some(descriptor) = symphonia::default::get_codecs().get_codec(codec) {
        return descriptor.short_name.to_owned();
    }
    let known = [
        (codecs::CODEC_TYPE_OPUS, "opus"),
        (codecs::CODEC_TYPE_ALAC, "alac"),
        (codecs::CODEC_TYPE_WAVPACK, "wavpack"),
        (codecs::CODEC_TYPE_SPEEX, "speex"),
        (codecs::CODEC_TYPE_EAC3, "eac3"),
        (codecs::CODEC_TYPE_DCA, "dts"),
        (codecs::CODEC_TYPE_ADPCM_IMA_WAV, "adpcm_ima_wav"),
        (codecs::CODEC_TYPE_ADPCM_MS, "adpcm_ms"),
        (codecs::CODEC_TYPE_PCM_ALAW, "pcm_alaw"),
        (codecs::CODEC_TYPE_PCM_MULAW, "pcm_mulaw"),
        (codecs::CODEC_TYPE_MP1, "mp1"),
        (codecs::CODEC_TYPE_MP2, "mp2"),
    ];
    known
        .iter()
        .find(|(id, _)| *id == codec)
        .map(|(_, name)| (*name).to_owned())
        .unwrap_or_else(|| format!("{codec}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm_at_another_rate_is_converted() {
        let audio = Audio::from_pcm16(&[1000i16; 44100], 44100).expect("valid rate");
        assert_eq!(audio.sample_rate, SAMPLE_RATE);
        assert_eq!(audio.samples.len(), 16000);
        assert_eq!(audio.source_rate, 44100);
        let middle = audio.samples[8000];
        assert!((middle - 1000.0 / 32768.0).abs() < 1e-4, "{middle}");
    }

    #[test]
    fn zero_rate_is_refused() {
        assert!(matches!(
            Audio::from_pcm16(&[0; 10], 0),
            Err(AudioError::ZeroSampleRate)
        ));
    }

    #[test]
    fn text_is_not_audio() {
        let err =
            decode(b"hello, this is not audio at all", &AudioLimits::default()).expect_err("text");
        assert!(matches!(err, AudioError::NotAudio { bytes: 31 }), "{err}");
    }
}
