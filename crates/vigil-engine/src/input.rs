//! What an item may carry, checked before any detector runs: sizes, counts,
//! encodings and image dimensions. Each refusal names the limit or the
//! problem, so a caller can fix the request.

use base64::Engine as _;
use vigil_core::{Item, MediaKind, MediaSource};

/// The largest input Vigil accepts. The server's request body limit is
/// separate (it bounds the bytes read before any parsing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Longest text, in characters.
    pub max_text_chars: usize,
    /// Most media attachments per item.
    pub max_media: usize,
    /// Largest decoded attachment, in bytes.
    pub max_media_bytes: usize,
    /// Most pixels (width × height) in an image: decoding a small file that
    /// claims huge dimensions would exhaust memory.
    pub max_pixels: u64,
    /// Longest item id, in bytes.
    pub max_id_bytes: usize,
    /// Longest audio decoded, in seconds (a video's sound track is bounded
    /// by the video decoder's own limits).
    pub max_media_seconds: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_chars: 20_000,
            max_media: 4,
            max_media_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_id_bytes: 256,
            max_media_seconds: 600.0,
        }
    }
}

/// Why an item was refused before scanning.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// No id.
    #[error("the item has an empty `id`")]
    EmptyId,
    /// An id over the limit.
    #[error("the item `id` is {len} bytes; the limit (max_id_bytes) is {limit}")]
    IdTooLong {
        /// Its length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Neither text nor media.
    #[error("the item has neither `text` nor `media`: there is nothing to scan")]
    Empty,
    /// Text over the limit.
    #[error("the text is {chars} characters; the limit (max_text_chars) is {limit}")]
    TextTooLong {
        /// Its length.
        chars: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many attachments.
    #[error("the item has {count} media attachments; the limit (max_media) is {limit}")]
    TooManyMedia {
        /// How many.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A path where bytes are needed: the scanner never reads files named by
    /// a caller.
    #[error(
        "media[{index}] names a path; send the bytes as `data_base64` (or as a multipart file)"
    )]
    MediaPath {
        /// Which attachment.
        index: usize,
    },
    /// Not base64.
    #[error("media[{index}].data_base64 is not valid base64: {message}")]
    InvalidBase64 {
        /// Which attachment.
        index: usize,
        /// The decoder's message.
        message: String,
    },
    /// An attachment over the limit.
    #[error("media[{index}] is {bytes} bytes; the limit (max_media_bytes) is {limit}")]
    MediaTooLarge {
        /// Which attachment.
        index: usize,
        /// Its size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// An attachment with no bytes.
    #[error("media[{index}] is empty")]
    EmptyMedia {
        /// Which attachment.
        index: usize,
    },
    /// An image whose header cannot be read: truncated, corrupt or not an
    /// image format Vigil reads.
    #[error("media[{index}] is not a readable image: {message}")]
    CorruptImage {
        /// Which attachment.
        index: usize,
        /// The decoder's message.
        message: String,
    },
    /// Audio or video that cannot be decoded: truncated, corrupt, or not a
    /// format ffmpeg (video) or the audio decoder reads.
    #[error("media[{index}] is not a readable {modality}: {message}")]
    CorruptMedia {
        /// Which attachment.
        index: usize,
        /// Audio or video.
        modality: vigil_core::Modality,
        /// The decoder's message.
        message: String,
    },
    /// An image with more pixels than allowed.
    #[error(
        "media[{index}] is {width}x{height} = {pixels} pixels; the limit (max_pixels) is {limit}"
    )]
    TooManyPixels {
        /// Which attachment.
        index: usize,
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Their product.
        pixels: u64,
        /// The limit.
        limit: u64,
    },
}

impl InputError {
    /// A stable machine-readable name for the problem (the API's `error.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            InputError::EmptyId => "empty_id",
            InputError::IdTooLong { .. } => "id_too_long",
            InputError::Empty => "empty_item",
            InputError::TextTooLong { .. } => "text_too_long",
            InputError::TooManyMedia { .. } => "too_many_media",
            InputError::MediaPath { .. } => "media_path",
            InputError::InvalidBase64 { .. } => "invalid_base64",
            InputError::MediaTooLarge { .. } => "media_too_large",
            InputError::EmptyMedia { .. } => "empty_media",
            InputError::CorruptImage { .. } | InputError::CorruptMedia { .. } => "corrupt_media",
            InputError::TooManyPixels { .. } => "too_many_pixels",
        }
    }
}

/// One decoded attachment.
#[derive(Debug, Clone)]
pub struct DecodedMedia {
    /// Image, audio or video.
    pub kind: MediaKind,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Image dimensions, for images.
    pub dimensions: Option<(u32, u32)>,
}

/// An item that passed [`check_item`], with its media decoded.
#[derive(Debug, Clone)]
pub struct CheckedItem<'a> {
    /// The item.
    pub item: &'a Item,
    /// Its attachments, decoded, in order.
    pub media: Vec<DecodedMedia>,
}

/// Checks an item against the limits and decodes its media. Images are
/// checked by their header only: the dimensions are read without decoding
/// the pixels, so a decompression bomb is refused before it costs memory.
pub fn check_item<'a>(item: &'a Item, limits: &Limits) -> Result<CheckedItem<'a>, InputError> {
    if item.id.is_empty() {
        return Err(InputError::EmptyId);
    }
    if item.id.len() > limits.max_id_bytes {
        return Err(InputError::IdTooLong {
            len: item.id.len(),
            limit: limits.max_id_bytes,
        });
    }
    let text = item.text.as_deref().filter(|t| !t.trim().is_empty());
    if text.is_none() && item.media.is_empty() {
        return Err(InputError::Empty);
    }
    if let Some(t) = text {
        // Count characters only as far as the limit needs.
        let chars = t.chars().take(limits.max_text_chars + 1).count();
        if chars > limits.max_text_chars {
            return Err(InputError::TextTooLong {
                chars: t.chars().count(),
                limit: limits.max_text_chars,
            });
        }
    }
    if item.media.len() > limits.max_media {
        return Err(InputError::TooManyMedia {
            count: item.media.len(),
            limit: limits.max_media,
        });
    }
    let mut media = Vec::with_capacity(item.media.len());
    for (index, m) in item.media.iter().enumerate() {
        let data = match &m.source {
            MediaSource::Path { .. } => return Err(InputError::MediaPath { index }),
            MediaSource::Inline { data_base64 } => data_base64,
        };
        // Base64 is 4 characters per 3 bytes: refuse before decoding.
        let max_encoded = limits.max_media_bytes.div_ceil(3) * 4 + 4;
        if data.len() > max_encoded {
            return Err(InputError::MediaTooLarge {
                index,
                bytes: data.len() / 4 * 3,
                limit: limits.max_media_bytes,
            });
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| InputError::InvalidBase64 {
                index,
                message: e.to_string(),
            })?;
        if bytes.is_empty() {
            return Err(InputError::EmptyMedia { index });
        }
        if bytes.len() > limits.max_media_bytes {
            return Err(InputError::MediaTooLarge {
                index,
                bytes: bytes.len(),
                limit: limits.max_media_bytes,
            });
        }
        let dimensions = match m.kind {
            MediaKind::Image => Some(image_dimensions(index, &bytes, limits)?),
            MediaKind::Audio | MediaKind::Video => None,
        };
        media.push(DecodedMedia {
            kind: m.kind,
            bytes,
            dimensions,
        });
    }
    Ok(CheckedItem { item, media })
}

/// What kind of media a file's first bytes say it is: an image format
/// Vigil decodes, an audio container or stream, or a video container.
/// `None` for anything else. MP4-family files (`ftyp`) are video unless
/// their brand is an audio-only one (`M4A `, `M4B `, `F4A `).
pub fn sniff_media_kind(bytes: &[u8]) -> Option<MediaKind> {
    if image::guess_format(bytes).is_ok() {
        return Some(MediaKind::Image);
    }
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(4, b"ftyp") {
        let audio_brand = [b"M4A ", b"M4B ", b"F4A "]
            .iter()
            .any(|brand| at(8, brand.as_slice()));
        return Some(if audio_brand {
            MediaKind::Audio
        } else {
            MediaKind::Video
        });
    }
    // Matroska / WebM (EBML), AVI, MPEG-PS, FLV, MPEG-TS.
    if at(0, b"\x1a\x45\xdf\xa3")
        || (at(0, b"RIFF") && at(8, b"AVI "))
        || at(0, b"\x00\x00\x01\xba")
        || at(0, b"FLV")
        || (bytes.len() > 188 && bytes[0] == 0x47 && bytes[188] == 0x47)
    {
        return Some(MediaKind::Video);
    }
    // WAV, FLAC, Ogg, MP3 with an ID3 tag, AIFF, a bare MPEG audio or ADTS frame.
    if (at(0, b"RIFF") && at(8, b"WAVE"))
        || at(0, b"fLaC")
        || at(0, b"OggS")
        || at(0, b"ID3")
        || (at(0, b"FORM") && at(8, b"AIFF"))
        || (bytes.len() >= 2 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0)
    {
        return Some(MediaKind::Audio);
    }
    None
}

fn image_dimensions(index: usize, bytes: &[u8], limits: &Limits) -> Result<(u32, u32), InputError> {
    let corrupt = |message: String| InputError::CorruptImage { index, message };
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| corrupt(e.to_string()))?;
    if reader.format().is_none() {
        return Err(corrupt(
            "the format is not one Vigil reads (PNG, JPEG, GIF, WebP, BMP, TIFF)".to_owned(),
        ));
    }
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| corrupt(e.to_string()))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(InputError::TooManyPixels {
            index,
            width,
            height,
            pixels,
            limit: limits.max_pixels,
        });
    }
    if pixels == 0 {
        return Err(corrupt("the image has no pixels".to_owned()));
    }
    Ok((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_core::Media;

    fn image_item(bytes: &[u8]) -> Item {
        let mut item = Item::text("a", "");
        item.text = None;
        item.media.push(Media {
            kind: MediaKind::Image,
            source: MediaSource::Inline {
                data_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            },
            mime: None,
        });
        item
    }

    /// A PNG header claiming `w`×`h` pixels, with no pixel data.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(w.to_be_bytes());
        ihdr.extend(h.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        out.extend((13u32).to_be_bytes());
        out.extend(&ihdr);
        out.extend(crc32(&ihdr).to_be_bytes());
        // An empty IDAT: the header is read up to the first data chunk.
        out.extend(0u32.to_be_bytes());
        out.extend(b"IDAT");
        out.extend(crc32(b"IDAT").to_be_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn media_kinds_are_told_by_their_first_bytes() {
        let kind = sniff_media_kind;
        assert_eq!(kind(&png_header(4, 4)), Some(MediaKind::Image));
        assert_eq!(kind(b"RIFF\0\0\0\0WAVEfmt "), Some(MediaKind::Audio));
        assert_eq!(kind(b"OggS\0\x02"), Some(MediaKind::Audio));
        assert_eq!(kind(b"fLaC\0\0"), Some(MediaKind::Audio));
        assert_eq!(kind(b"ID3\x04\0"), Some(MediaKind::Audio));
        assert_eq!(kind(b"\0\0\0\x20ftypM4A \0\0"), Some(MediaKind::Audio));
        assert_eq!(kind(b"\0\0\0\x20ftypisom\0\0"), Some(MediaKind::Video));
        assert_eq!(kind(b"\x1a\x45\xdf\xa3\x01"), Some(MediaKind::Video));
        assert_eq!(kind(b"RIFF\0\0\0\0AVI LIST"), Some(MediaKind::Video));
        assert_eq!(kind(b"hello, world"), None);
        assert_eq!(kind(b""), None);
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        let err = check_item(
            &image_item(&png_header(100_000, 100_000)),
            &Limits::default(),
        )
        .expect_err("10 gigapixels");
        assert_eq!(err.kind(), "too_many_pixels", "{err}");
        assert!(err.to_string().contains("max_pixels"), "{err}");
    }

    #[test]
    fn a_small_image_header_passes() {
        let item = image_item(&png_header(64, 48));
        let checked = check_item(&item, &Limits::default()).expect("a valid header");
        assert_eq!(checked.media[0].dimensions, Some((64, 48)));
    }

    #[test]
    fn truncated_and_foreign_bytes_are_corrupt_images() {
        let truncated = &png_header(64, 48)[..12];
        for bytes in [truncated, b"definitely not an image".as_slice()] {
            let err = check_item(&image_item(bytes), &Limits::default()).expect_err("corrupt");
            assert_eq!(err.kind(), "corrupt_media", "{err}");
        }
    }

    #[test]
    fn every_limit_names_itself() {
        let limits = Limits {
            max_text_chars: 5,
            max_media: 0,
            ..Limits::default()
        };
        let long = Item::text("a", "abcdef");
        let err = check_item(&long, &limits).expect_err("too long");
        assert!(err.to_string().contains("max_text_chars"), "{err}");
        let err = check_item(&image_item(&png_header(1, 1)), &limits).expect_err("no media");
        assert!(err.to_string().contains("max_media"), "{err}");
        let err = check_item(&Item::text("", "hi"), &limits).expect_err("no id");
        assert_eq!(err, InputError::EmptyId);
        let err = check_item(&Item::text("a", "  "), &limits).expect_err("blank");
        assert_eq!(err, InputError::Empty);
    }

    #[test]
    fn bad_base64_and_paths_are_refused() {
        let mut item = image_item(b"x");
        item.media[0].source = MediaSource::Inline {
            data_base64: "@@@".to_owned(),
        };
        assert_eq!(
            check_item(&item, &Limits::default())
                .map(|_| ())
                .unwrap_err()
                .kind(),
            "invalid_base64"
        );
        item.media[0].source = MediaSource::Path {
            path: "/etc/passwd".to_owned(),
        };
        assert_eq!(
            check_item(&item, &Limits::default())
                .map(|_| ())
                .unwrap_err(),
            InputError::MediaPath { index: 0 }
        );
    }
}
