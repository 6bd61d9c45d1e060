//! The built book, served from memory. The whole book is a few megabytes:
//! reading it once at start (and after each rebuild) and compressing each
//! file once beats opening files and gzipping on every request.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

pub struct StaticFile {
    body: Bytes,
    /// Present when gzip actually makes the file smaller.
    gzip: Option<Bytes>,
    content_type: &'static str,
    etag: HeaderValue,
}

#[derive(Default)]
pub struct StaticBook {
    /// By URL path without the leading slash (`05-action/site.html`).
    files: HashMap<String, StaticFile>,
}

impl StaticBook {
    pub fn load(dir: &Path) -> Result<StaticBook> {
        let mut book = StaticBook::default();
        book.add_dir(dir, dir)?;
        Ok(book)
    }

    fn add_dir(&mut self, root: &Path, dir: &Path) -> Result<()> {
        for entry in std::fs::read_dir(dir)
            .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", dir.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                self.add_dir(root, &path)?;
                continue;
            }
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let key = relative.to_string_lossy().replace('\\', "/");
            let body = std::fs::read(&path)
                .with_context(|| format!("lecture de «\u{a0}{}\u{a0}»", path.display()))?;
            let content_type = content_type(&key);
            let digest = Sha256::digest(&body);
            let etag = format!(
                "\"{}\"",
                digest
                    .iter()
                    .take(8)
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
            );
            let gzip = compressible(content_type).then(|| gzip(&body)).flatten();
            self.files.insert(
                key,
                StaticFile {
                    body: Bytes::from(body),
                    gzip,
                    content_type,
                    etag: HeaderValue::from_str(&etag).expect("hex is a valid header"),
                },
            );
        }
        Ok(())
    }

    /// The file for a request path: `/` and folders lead to their index.html.
    fn lookup(&self, path: &str) -> Option<&StaticFile> {
        let decoded = percent_decode(path.trim_start_matches('/'))?;
        if decoded.split('/').any(|part| part == ".." || part == ".") || decoded.contains('\\') {
            return None;
        }
        if decoded.is_empty() || decoded.ends_with('/') {
            return self.files.get(&format!("{decoded}index.html"));
        }
        self.files
            .get(&decoded)
            .or_else(|| self.files.get(&format!("{decoded}/index.html")))
    }

    /// Answers a GET or HEAD for a book file; `None` when there is no such file.
    pub fn respond(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let file = self.lookup(path)?;
        let mut response = if headers
            .get(header::IF_NONE_MATCH)
            .is_some_and(|tag| tag == file.etag)
        {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let accepts_gzip = headers
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
            let (body, encoded) = match (&file.gzip, accepts_gzip) {
                (Some(gzip), true) => (gzip.clone(), true),
                _ => (file.body.clone(), false),
            };
            let length = body.len();
            let mut response = if method == Method::HEAD {
                Response::new(Body::empty())
            } else {
                Response::new(Body::from(body))
            };
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            if encoded {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, file.etag.clone());
        if file.gzip.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        Some(response)
    }
}

fn gzip(data: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() < data.len()).then(|| Bytes::from(compressed))
}

fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/javascript")
        || content_type.starts_with("application/json")
        || content_type.starts_with("image/svg")
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "application/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "eot" => "application/vnd.ms-fontobject",
        "txt" | "md" => "text/plain; charset=utf-8",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_traversal() {
        assert_eq!(
            percent_decode("v%C3%A9lo.html").as_deref(),
            Some("vélo.html")
        );
        assert_eq!(percent_decode("%zz"), None);
        // A built book beside a file that must not be served.
        let project = tempfile::tempdir().unwrap();
        let dir = project.path().join("book");
        std::fs::create_dir_all(dir.join("dossier")).unwrap();
        std::fs::write(dir.join("index.html"), "accueil").unwrap();
        std::fs::write(dir.join("dossier/page.html"), "page").unwrap();
        std::fs::write(project.path().join("book.toml"), "[book]").unwrap();
        let book = StaticBook::load(&dir).unwrap();
        for served in ["/", "/index.html", "/dossier/page.html"] {
            assert!(book.lookup(served).is_some(), "{served} is not served");
        }
        // Each of these would reach a real file if `..` or `.` were
        // followed, as a file system would.
        for refused in [
            "/../book.toml",
            "/%2e%2e/book.toml",
            "/dossier/../index.html",
            "/dossier/%2E%2E/index.html",
            "/./index.html",
            "/dossier/..%2Fbook.toml",
            "/dossier%5C..%5Cindex.html",
        ] {
            assert!(book.lookup(refused).is_none(), "{refused} was served");
        }
    }
}
