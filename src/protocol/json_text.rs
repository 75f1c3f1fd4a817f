//! JSON text written and read without a `Value`: strings escaped sixteen bytes at a time (large tool results
//! are mostly text that needs no escape, or JSON whose quotes come every few bytes), and a scan for the bare
//! `NaN`/`Infinity` words pydantic writes for non-finite floats.
//!
//! The escapes are exactly `serde_json`'s (the short forms `\" \\ \b \f \n \r \t`, other control characters as
//! lower-case `\u00xx`, everything else as it is), so text written here and text written by `serde_json` are
//! the same bytes.

/// Whether a byte is written escaped inside a JSON string.
#[inline]
const fn special(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

#[inline(always)]
fn escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

/// Which of sixteen bytes need an escape, one bit per byte (SSE2 is part of every `x86_64`): a byte equal
/// to `"` or `\`, or whose unsigned maximum with 0x1f is 0x1f (it is below 0x20).
#[cfg(target_arch = "x86_64")]
#[inline]
#[allow(clippy::cast_possible_wrap, clippy::cast_sign_loss, clippy::cast_ptr_alignment)]
fn special_mask(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is always available on x86_64, and the load reads the sixteen bytes of `chunk`
    // (unaligned loads are allowed).
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
        let control = _mm_set1_epi8(0x1f);
        let hit = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8)),
            ),
            _mm_cmpeq_epi8(_mm_max_epu8(v, control), control),
        );
        _mm_movemask_epi8(hit) as u32
    }
}

/// The same, a byte at a time, where SSE2 is not there.
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn special_mask(chunk: &[u8; 16]) -> u32 {
    chunk
        .iter()
        .enumerate()
        .fold(0, |mask, (i, &b)| mask | (u32::from(special(b)) << i))
}

/// Appends `text` as a JSON string (with its quotes).
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `start`: the first byte not yet written. Runs without escapes are copied whole; each chunk's escapes
    // are taken from its mask, lowest first, without scanning it again.
    let mut start = 0;
    let mut chunks = bytes.chunks_exact(16);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut mask = special_mask(chunk.try_into().expect("sixteen bytes"));
        while mask != 0 {
            let i = at + mask.trailing_zeros() as usize;
            out.extend_from_slice(&bytes[start..i]);
            escape(out, bytes[i]);
            start = i + 1;
            mask &= mask - 1;
        }
        at += 16;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if special(b) {
            out.extend_from_slice(&bytes[start..at + i]);
            escape(out, b);
            start = at + i + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether JSON text holds a bare `NaN`, `Infinity` or `-Infinity` (outside its strings). Outside strings,
/// valid JSON has no upper-case letters but those words', so a string that merely mentions them is not one.
pub fn has_nonfinite(json: &[u8]) -> bool {
    // Most results never mention the words: one fast search each settles it.
    if memchr::memmem::find(json, b"NaN").is_none() && memchr::memmem::find(json, b"Infinity").is_none() {
        return false;
    }
    let mut rest = json;
    loop {
        // Outside a string: the next quote, or a word's letter before it.
        let Some(i) = memchr::memchr3(b'"', b'N', b'I', rest) else {
            return false;
        };
        if rest[i] != b'"' {
            return true;
        }
        // Inside: skip to the closing quote, past escaped characters.
        rest = &rest[i + 1..];
        loop {
            let Some(j) = memchr::memchr2(b'"', b'\\', rest) else {
                return false;
            };
            if rest[j] == b'\\' {
                rest = rest.get(j + 2..).unwrap_or_default();
                continue;
            }
            rest = &rest[j + 1..];
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ours(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn escapes_as_serde_json_does() {
        let mut cases: Vec<String> = [
            "",
            "plain",
            "\"",
            "\\",
            "a\"b\\c\nd\re\tf\u{8}g\u{c}h",
            "\u{0}\u{1}\u{1f}\u{7f}",
            "héllo wörld ✓ 𝄞",
            "0123456789abcde\"",
            "0123456789abcdef\"",
            "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"",
            "ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ\"",
            r#"{"id":1,"name":"Customer 00001","email":"c1@example.com","tier":"gold"}"#,
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        // Every ASCII byte (and some multi-byte characters) at every place of a chunk and of the remainder.
        for c in (0u8..0x80).map(char::from).chain(['é', '✓', '𝄞', '\u{80}', '\u{ff}']) {
            for place in 0..36 {
                let mut s = "x".repeat(place);
                s.push(c);
                s.push_str("yyyy");
                cases.push(s);
            }
        }
        // A pseudo-random mix, long enough to cross many chunks.
        let alphabet: Vec<char> = "ab \"\\\n\t\u{1}é✓𝄞ÿ".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for len in 0..300 {
            let s: String = (0..len % 97)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[usize::try_from(seed % alphabet.len() as u64).unwrap()]
                })
                .collect();
            cases.push(s);
        }
        for case in cases {
            assert_eq!(ours(&case), serde_json::to_string(&case).unwrap(), "{case:?}");
        }
    }

    #[test]
    fn marks_the_bytes_to_escape() {
        let chunk: [u8; 16] = *b"a\"b\\c\nd\x1f\x20\x7f\x80\xff\x00zz\"";
        let expected = chunk
            .iter()
            .enumerate()
            .fold(0u32, |m, (i, &b)| m | (u32::from(special(b)) << i));
        assert_eq!(special_mask(&chunk), expected);
        assert_eq!(expected, 0b1001_0000_1010_1010);
    }

    #[test]
    fn finds_bare_nonfinite_words_only() {
        assert!(has_nonfinite(b"NaN"));
        assert!(has_nonfinite(b"[1,-Infinity]"));
        assert!(has_nonfinite(br#"{"a":"NaN","b":Infinity}"#));
        assert!(has_nonfinite(br#"{"a\"NaN":NaN}"#));
        assert!(!has_nonfinite(br#"{"NaN":"Infinity"}"#));
        assert!(!has_nonfinite(br#"["\\",  "NaN \" Infinity", 1e5, true, null]"#));
        assert!(!has_nonfinite(br#""unterminated NaN"#));
        assert!(!has_nonfinite(b"{}"));
    }
}
