//! Reading `application/x-www-form-urlencoded` bodies: the quiz forms, the
//! workshop forms. A body that is not a form, not UTF-8, malformed or far
//! too long is refused before anything looks at its fields.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode, header};

use super::error::AppError;

/// More fields than any honest form sends (a question's choices at most, a
/// version, a workshop): a body with more is refused (400).
pub const MAX_FIELDS: usize = 400;

/// The hidden form field that names a workshop's join code.
pub const WORKSHOP_FIELD: &str = "atelier";

/// The hidden form field that carries the form's one-time nonce: 32 hex
/// digits drawn with the page (by the server, or by the quiz script for the
/// forms inside the book's chapters). The same form posted twice carries
/// the same nonce, and finds the same result (`submission`).
pub const NONCE_FIELD: &str = "envoi";

/// The form's fields in order, names and values decoded.
pub type Fields = Vec<(String, String)>;

/// A posted body and its content type, read as a form by `fields` when the
/// handler is ready: after its throttle, so that a malformed form counts
/// against its sender's allowance like any other.
pub struct FormBody {
    content_type: Option<HeaderValue>,
    body: Bytes,
}

impl<S: Send + Sync> FromRequest<S> for FormBody {
    /// The body's own refusals (too long, cut short), as for `Bytes`.
    type Rejection = BytesRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, BytesRejection> {
        let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
        let body = Bytes::from_request(request, state).await?;
        Ok(FormBody { content_type, body })
    }
}

impl FormBody {
    /// The form's fields, refusing anything else: another content type
    /// (415), invalid UTF-8, a malformed encoding or more than `MAX_FIELDS`
    /// fields (400).
    pub fn fields(&self) -> Result<Fields, AppError> {
        let content_type = self
            .content_type
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(AppError::Client(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                // Every form of the site reads its body here: the quiz, the
                // workshops, ticking, the reminder and deletions alike.
                "Envoi refusé\u{a0}: cette adresse n’accepte que les formulaires des pages du \
                 site. Rien n’a été enregistré."
                    .into(),
            ));
        }
        let not_utf8 = || {
            AppError::BadRequest(
                "Envoi refusé\u{a0}: le formulaire reçu n’est pas un texte valide (UTF-8).".into(),
            )
        };
        if std::str::from_utf8(&self.body).is_err() {
            return Err(not_utf8());
        }
        let fields: Fields = serde_urlencoded::from_bytes(&self.body).map_err(|_| {
            AppError::BadRequest("Envoi refusé\u{a0}: le formulaire reçu est mal formé.".into())
        })?;
        if fields.len() > MAX_FIELDS {
            return Err(AppError::BadRequest(
                "Envoi refusé\u{a0}: le formulaire contient beaucoup trop de champs.".into(),
            ));
        }
        // Percent-encoded bytes that are not UTF-8 decode to U+FFFD.
        if fields
            .iter()
            .any(|(name, value)| name.contains('\u{fffd}') || value.contains('\u{fffd}'))
        {
            return Err(not_utf8());
        }
        Ok(fields)
    }
}

/// A field that must appear at most once (400 when it is repeated).
pub fn single(fields: &[(String, String)], name: &str) -> Result<Option<String>, AppError> {
    let mut values = fields
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.clone());
    let first = values.next();
    if values.next().is_some() {
        return Err(AppError::BadRequest(format!(
            "Envoi refusé\u{a0}: le champ «\u{a0}{name}\u{a0}» est en double."
        )));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(content_type: Option<&'static str>, text: &'static str) -> FormBody {
        FormBody {
            content_type: content_type.map(HeaderValue::from_static),
            body: Bytes::from_static(text.as_bytes()),
        }
    }

    #[test]
    fn only_url_encoded_forms_are_read() {
        let form = body(
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            "a=1&b=%C3%A9",
        );
        let fields = form.fields().expect("a form");
        assert_eq!(fields, [("a".into(), "1".into()), ("b".into(), "é".into())]);
        for content_type in [None, Some("application/json"), Some("text/plain")] {
            let Err(AppError::Client(status, message)) = body(content_type, "a=1").fields() else {
                panic!("{content_type:?} is refused as a client error");
            };
            assert_eq!(
                status,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "{content_type:?}"
            );
            // Said of any form of the site, not only the quiz's.
            assert!(
                message.contains("formulaires des pages du site"),
                "{message}"
            );
            assert!(message.contains("Rien n’a été enregistré"), "{message}");
        }
    }
}
