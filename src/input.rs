//! Reading user inputs (`FILE` or `-` for standard input), bounded in size.
use anyhow::{Context, Result, bail};
use std::io::Read;

/// Opens `path` (standard input for `-`), refusing directories; with the file's size when
/// it has one.
pub fn open(path: &str) -> Result<(Box<dyn Read>, Option<u64>)> {
    if path == "-" {
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            // Nobody is going to type a Lambda output: say what is expected instead of
            // waiting silently.
            return Err(TerminalStdin.into());
        }
        return Ok((Box::new(std::io::stdin().lock()), None));
    }
    let name = display_name(path);
    let file = std::fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("{name}: cannot read"))?;
    if meta.is_dir() {
        bail!("{name}: is a directory");
    }
    Ok((Box::new(file), Some(meta.len())))
}

/// The input is standard input and that is a terminal: the command was run without its
/// input. `main` prints the command's usage as the hint.
#[derive(Debug)]
pub struct TerminalStdin;

impl std::fmt::Display for TerminalStdin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "no input: give a FILE, or pipe the input into standard input (it is a terminal)",
        )
    }
}

impl std::error::Error for TerminalStdin {}

/// Reads `path` (or standard input for `-`), refusing more than `max` bytes.
pub fn read_bounded(path: &str, max: u64) -> Result<Vec<u8>> {
    let name = display_name(path);
    let (reader, size) = open(path)?;
    let mut buf = Vec::with_capacity(size.unwrap_or(0).min(max + 1) as usize);
    reader
        .take(max + 1)
        .read_to_end(&mut buf)
        .with_context(|| format!("{name}: cannot read"))?;
    if buf.len() as u64 > max {
        bail!("{name}: input is larger than {max} bytes");
    }
    Ok(buf)
}

/// Reads a UTF-8 text input, naming the byte where the text stops being UTF-8. A leading
/// byte-order mark (what Windows editors and PowerShell write) is dropped.
pub fn read_text(path: &str, max: u64) -> Result<String> {
    let mut bytes = read_bounded(path, max)?;
    if bytes.starts_with(b"\xef\xbb\xbf") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            display_name(path),
            e.utf8_error().valid_up_to()
        )
    })
}

/// How an input is named in messages and reports.
pub fn display_name(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_oversized_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'x'; 11]).unwrap();
        let p = p.to_str().unwrap();
        assert_eq!(read_bounded(p, 11).unwrap().len(), 11);
        let err = read_bounded(p, 10).unwrap_err().to_string();
        assert!(err.ends_with("input is larger than 10 bytes"), "{err}");
        let err = format!("{:#}", read_bounded("/nonexistent/x", 10).unwrap_err());
        assert!(err.starts_with("/nonexistent/x: cannot open:"), "{err}");
        let err = read_bounded(dir.path().to_str().unwrap(), 10)
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("is a directory"), "{err}");
    }

    #[test]
    fn drops_a_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bom");
        std::fs::write(&p, b"\xef\xbb\xbf{}").unwrap();
        assert_eq!(read_text(p.to_str().unwrap(), 10).unwrap(), "{}");
    }

    #[test]
    fn names_the_offset_of_invalid_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bin");
        std::fs::write(&p, b"ab\xff").unwrap();
        let err = read_text(p.to_str().unwrap(), 10).unwrap_err().to_string();
        assert!(err.ends_with("invalid byte at offset 2)"), "{err}");
    }
}
