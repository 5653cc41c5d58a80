//! 16-bit PCM WAV output, for programs that read a file (pocketsphinx).

use crate::decode::Audio;

/// The audio as a 16-bit mono PCM WAV file at its sample rate. Samples
/// outside [-1, 1] are clipped.
///
/// ```
/// let audio = vigil_audio::Audio::from_pcm16(&[0i16; 160], 16000).expect("rate above 0");
/// let wav = vigil_audio::to_wav16(&audio);
/// assert_eq!(&wav[..4], b"RIFF");
/// assert_eq!(wav.len(), 44 + 2 * 160);
/// ```
pub fn to_wav16(audio: &Audio) -> Vec<u8> {
    let data_bytes = u32::try_from(audio.samples.len() * 2).unwrap_or(u32::MAX - 36) & !1;
    let rate = audio.sample_rate;
    let mut out = Vec::with_capacity(44 + data_bytes as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_bytes).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_bytes.to_le_bytes());
    for &sample in audio.samples.iter().take(data_bytes as usize / 2) {
        out.extend_from_slice(&to_i16(sample).to_le_bytes());
    }
    out
}

/// A sample in [-1, 1] as 16-bit PCM, rounded and clipped.
pub(crate) fn to_i16(sample: f32) -> i16 {
    (sample * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{decode, AudioLimits};

    #[test]
    fn a_wav_written_decodes_to_the_same_samples() {
        let pcm: Vec<i16> = (0..16000)
            .map(|i| ((i * 37) % 20000 - 10000) as i16)
            .collect();
        let audio = Audio::from_pcm16(&pcm, 16000).expect("valid rate");
        let wav = to_wav16(&audio);
        let back = decode(&wav, &AudioLimits::default()).expect("our own wav decodes");
        assert_eq!(back.samples.len(), pcm.len());
        for (a, b) in back.samples.iter().zip(&pcm) {
            assert_eq!(to_i16(*a), *b);
        }
        assert_eq!(back.codec, "pcm_s16le");
    }
}
