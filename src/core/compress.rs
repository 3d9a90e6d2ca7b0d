//! Compression of archived mail bodies (zlib/deflate), and its exact inverse.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

use crate::core::error::{DatabaseErrorKind, Error, Result};

/// The name stored beside the bytes, so a later format can coexist.
pub const METHOD: &str = "zlib";

pub fn compress(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(
        Vec::with_capacity(bytes.len() / 3 + 64),
        Compression::default(),
    );
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Decompresses, refusing to produce more than `expected_len` bytes (a damaged row must not exhaust
/// memory) or a different length.
pub fn decompress(method: &str, bytes: &[u8], expected_len: usize) -> Result<Vec<u8>> {
    let damaged = || {
        Error::database(
            DatabaseErrorKind::Schema,
            "an archived mail body is damaged",
            0,
        )
    };
    if method != METHOD {
        return Err(Error::database(
            DatabaseErrorKind::Schema,
            format!("an archived mail body uses the unknown compression '{method}'"),
            0,
        ));
    }
    // The length comes from the row: a damaged one must not make us reserve gigabytes.
    if expected_len > crate::core::rules::mail_record::MAX_BODY_BYTES {
        return Err(damaged());
    }
    let mut out = Vec::with_capacity(expected_len);
    ZlibDecoder::new(bytes)
        .take(expected_len as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| damaged())?;
    if out.len() != expected_len {
        return Err(damaged());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_length_is_refused_before_allocating() {
        assert!(decompress(METHOD, &compress(b"x"), usize::MAX).is_err());
        assert!(decompress(METHOD, &compress(b"x"), 4 << 30).is_err());
    }

    #[test]
    fn round_trips_exactly() {
        let body: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let packed = compress(&body);
        assert!(packed.len() < body.len());
        assert_eq!(decompress(METHOD, &packed, body.len()).unwrap(), body);
        assert_eq!(decompress(METHOD, &compress(b""), 0).unwrap(), b"");
    }

    #[test]
    fn refuses_damage_and_length_mismatch() {
        let packed = compress(b"hello hello hello");
        assert!(decompress(METHOD, &packed, 5).is_err());
        assert!(decompress(METHOD, &packed[..packed.len() / 2], 17).is_err());
        assert!(decompress("lz4", &packed, 17).is_err());
    }
}
