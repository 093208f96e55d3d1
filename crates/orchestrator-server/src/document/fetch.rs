//! Getting the bytes of a document from `http(s)://`, `file://` or `data:`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use http_body_util::{BodyExt, LengthLimitError, Limited};
use reqwest::header::CONTENT_TYPE;
use url::Url;

use super::network_guard::{Guard, PublicOnlyResolver};
use super::{
    DOCUMENT_FORBIDDEN, DOCUMENT_TOO_LARGE, DOCUMENT_UNREACHABLE, DocumentError, MediaType,
};
use crate::error::StartError;

/// How many redirects a document fetch follows.
const MAX_REDIRECTS: usize = 5;

/// A fetched document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The media type the source declared (`Content-Type`, the data URL's
    /// type, or the file extension), lower-case, without parameters.
    pub declared_type: Option<String>,
}

/// Settings for fetching.
#[derive(Debug, Clone)]
pub(crate) struct FetcherConfig {
    /// Largest document, in bytes.
    pub max_bytes: u64,
    /// Timeout of an HTTP fetch, end to end.
    pub timeout: Duration,
    /// The only directory `file://` URLs may read from.
    pub documents_dir: Option<PathBuf>,
    /// Allow loopback, private and link-local addresses.
    pub allow_private_networks: bool,
    /// Exact private socket addresses allowed anyway, when a URL names them
    /// by literal address (names always go through the public-only resolver).
    pub allow_private_origins: Vec<SocketAddr>,
    /// Fetch through this proxy instead of connecting directly. The
    /// environment's proxy variables are never used: a proxy resolves the
    /// names it is given, past the resolver that guards them here.
    pub proxy: Option<Url>,
}

/// Fetches documents under the SSRF, size and path rules.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    http: reqwest::Client,
    config: FetcherConfig,
    /// `documents_dir`, canonicalized once.
    root: Option<PathBuf>,
    guard: Guard,
}

impl Fetcher {
    /// Builds a fetcher; fails if `documents_dir` does not exist.
    pub(crate) fn new(config: FetcherConfig) -> Result<Fetcher, StartError> {
        let root = match &config.documents_dir {
            Some(dir) => Some(
                dir.canonicalize()
                    .map_err(|source| StartError::DocumentsDir {
                        path: dir.clone(),
                        source,
                    })?,
            ),
            None => None,
        };
        let guard = Guard {
            allow_private: config.allow_private_networks,
            allow_origins: config.allow_private_origins.clone(),
        };
        let redirect_guard = guard.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            if !matches!(attempt.url().scheme(), "http" | "https") {
                return attempt.error(Forbidden("redirected to a non-HTTP URL".into()));
            }
            match redirect_guard.destination_allowed(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => attempt.error(Forbidden(format!("redirected: {why}"))),
            }
        });
        let mut http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .redirect(redirects)
            .user_agent(concat!("orchestrator-server/", env!("CARGO_PKG_VERSION")));
        http = match &config.proxy {
            // Through a proxy the names are resolved over there: the guard
            // sees only the scheme and literal addresses.
            Some(proxy) => {
                http.proxy(reqwest::Proxy::all(proxy.as_str()).map_err(StartError::Fetcher)?)
            }
            // HTTP_PROXY and friends are ignored: through them, the resolver
            // below would only ever check the proxy's address.
            None if !guard.allow_private => {
                http.no_proxy().dns_resolver(PublicOnlyResolver::shared())
            }
            None => http.no_proxy(),
        };
        let http = http.build().map_err(StartError::Fetcher)?;
        Ok(Fetcher {
            http,
            config,
            root,
            guard,
        })
    }

    /// Checks what makes a URL unusable on this server whatever it points
    /// at: the scheme, a missing host, `file://` being disabled. Used to
    /// reject a submit with `422`. Where a URL points (private addresses,
    /// paths outside the documents directory) is checked when fetching, and
    /// ends the task `FAILED` with `DOCUMENT_FORBIDDEN`.
    pub(crate) fn precheck(&self, url: &Url) -> Result<(), String> {
        match url.scheme() {
            "http" | "https" if url.host_str().is_none_or(str::is_empty) => {
                Err("the URL has no host".into())
            }
            "data" => self.data_within_limit(url),
            "http" | "https" => Ok(()),
            "file" if self.root.is_none() => {
                Err("file:// URLs are disabled on this server (no --documents-dir)".into())
            }
            "file" => Ok(()),
            other => Err(format!(
                "the scheme `{other}` is not supported; use http, https, data or file"
            )),
        }
    }

    /// A `data:` URL whose document is surely over the size limit is refused
    /// before it is stored as the task's input (the worker would only fail
    /// it, and the input would have sat in the database meanwhile). The
    /// smallest size its payload can decode to counts: a quarter less for
    /// base64, a third for percent-escapes; a document near the limit is
    /// measured exactly when the worker decodes it.
    fn data_within_limit(&self, url: &Url) -> Result<(), String> {
        let raw = url.as_str();
        let Some((header, payload)) = raw.split_once(',') else {
            return Ok(()); // malformed: the worker says so
        };
        let len = payload.len() as u64;
        let least = if header.ends_with(";base64") {
            (len / 4 * 3).saturating_sub(2)
        } else {
            len / 3
        };
        if least > self.config.max_bytes {
            return Err(format!(
                "the data: document is at least {least} bytes, over this server's limit of {} \
                 (--max-document-bytes)",
                self.config.max_bytes
            ));
        }
        Ok(())
    }

    /// Fetches the document at `url`.
    pub(crate) async fn fetch(&self, url: &Url) -> Result<Document, DocumentError> {
        self.precheck(url)
            .map_err(|m| DocumentError::new(DOCUMENT_FORBIDDEN, m))?;
        self.guard
            .destination_allowed(url)
            .map_err(|m| DocumentError::new(DOCUMENT_FORBIDDEN, m))?;
        match url.scheme() {
            "data" => self.fetch_data(url),
            "file" => self.fetch_file(url).await,
            _ => self.fetch_http(url).await,
        }
    }

    fn too_large(&self) -> DocumentError {
        DocumentError::new(
            DOCUMENT_TOO_LARGE,
            format!(
                "the document is larger than the {}-byte limit",
                self.config.max_bytes
            ),
        )
    }

    fn fetch_data(&self, url: &Url) -> Result<Document, DocumentError> {
        let unreadable = |m: String| DocumentError::new(super::DOCUMENT_UNREADABLE, m);
        let data = data_url::DataUrl::process(url.as_str())
            .map_err(|e| unreadable(format!("malformed data: URL ({e:?})")))?;
        let mime = data.mime_type();
        let declared_type = Some(format!("{}/{}", mime.type_, mime.subtype).to_ascii_lowercase());
        let (bytes, _) = data
            .decode_to_vec()
            .map_err(|_| unreadable("the data: URL's base64 is invalid".into()))?;
        if bytes.len() as u64 > self.config.max_bytes {
            return Err(self.too_large());
        }
        Ok(Document {
            bytes,
            declared_type,
        })
    }

    async fn fetch_file(&self, url: &Url) -> Result<Document, DocumentError> {
        let forbidden = |m: String| DocumentError::new(DOCUMENT_FORBIDDEN, m);
        let Some(root) = &self.root else {
            return Err(forbidden("file:// URLs are disabled on this server".into()));
        };
        let path = url
            .to_file_path()
            .map_err(|()| forbidden("the file URL is not a local path".into()))?;
        // Canonicalizing resolves `..` and symlinks before the containment check.
        let real = tokio::fs::canonicalize(&path).await.map_err(|e| {
            DocumentError::new(DOCUMENT_UNREACHABLE, format!("{}: {e}", path.display()))
        })?;
        if !real.starts_with(root) {
            return Err(forbidden(format!(
                "{} is outside the documents directory",
                path.display()
            )));
        }
        let meta = tokio::fs::metadata(&real).await.map_err(|e| {
            DocumentError::new(DOCUMENT_UNREACHABLE, format!("{}: {e}", path.display()))
        })?;
        if !meta.is_file() {
            return Err(DocumentError::new(
                DOCUMENT_UNREACHABLE,
                format!("{} is not a file", path.display()),
            ));
        }
        if meta.len() > self.config.max_bytes {
            return Err(self.too_large());
        }
        let bytes = tokio::fs::read(&real).await.map_err(|e| {
            DocumentError::new(DOCUMENT_UNREACHABLE, format!("{}: {e}", path.display()))
        })?;
        if bytes.len() as u64 > self.config.max_bytes {
            return Err(self.too_large());
        }
        Ok(Document {
            bytes,
            declared_type: MediaType::from_extension(&real).map(|m| m.essence().to_owned()),
        })
    }

    async fn fetch_http(&self, url: &Url) -> Result<Document, DocumentError> {
        let response = self.http.get(url.clone()).send().await.map_err(|e| {
            if PublicOnlyResolver::refused(&e) {
                DocumentError::new(
                    DOCUMENT_FORBIDDEN,
                    format!("{} resolves only to private addresses, which this server may not fetch from", host(url)),
                )
            } else if let Some(why) = forbidden_redirect(&e) {
                DocumentError::new(DOCUMENT_FORBIDDEN, format!("fetching {}: {why}", host(url)))
            } else if e.is_timeout() {
                DocumentError::new(DOCUMENT_UNREACHABLE, format!("fetching {} timed out", host(url)))
            } else if e.is_redirect() {
                DocumentError::new(DOCUMENT_UNREACHABLE, format!("fetching {}: {}", host(url), error_chain(&e)))
            } else {
                DocumentError::new(DOCUMENT_UNREACHABLE, format!("could not fetch from {}: {}", host(url), error_chain(&e)))
            }
        })?;
        let status = response.status();
        if !status.is_success() {
            return Err(DocumentError::new(
                DOCUMENT_UNREACHABLE,
                format!("{} answered {status}", host(url)),
            ));
        }
        let declared_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or(v).trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty());
        if response
            .content_length()
            .is_some_and(|len| len > self.config.max_bytes)
        {
            return Err(self.too_large());
        }
        // Read no more than the cap, whatever the server declared.
        let limit = usize::try_from(self.config.max_bytes).unwrap_or(usize::MAX);
        let body = Limited::new(reqwest::Body::from(response), limit);
        let bytes = match body.collect().await {
            Ok(collected) => collected.to_bytes().to_vec(),
            Err(e) if e.is::<LengthLimitError>() => return Err(self.too_large()),
            Err(e) => {
                return Err(DocumentError::new(
                    DOCUMENT_UNREACHABLE,
                    format!("the download from {} broke off: {}", host(url), causes(&*e)),
                ));
            }
        };
        Ok(Document {
            bytes,
            declared_type,
        })
    }
}

/// A redirect the guard refused.
#[derive(Debug)]
struct Forbidden(String);

impl std::fmt::Display for Forbidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Forbidden {}

/// The guard's reason, if an error chain holds a refused redirect.
fn forbidden_redirect(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cur {
        if let Some(f) = e.downcast_ref::<Forbidden>() {
            return Some(f.0.clone());
        }
        cur = e.source();
    }
    None
}

fn host(url: &Url) -> String {
    url.host_str().unwrap_or("the server").to_owned()
}

/// The innermost causes of an error, without the URL (which may carry secrets
/// in its query string).
pub(crate) fn error_chain(e: &reqwest::Error) -> String {
    match std::error::Error::source(e) {
        Some(source) => causes(source),
        None => "request failed".to_owned(),
    }
}

/// An error and its sources, joined with `: `.
fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        parts.push(err.to_string());
        cur = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_url_surely_over_the_document_limit_is_refused_before_it_is_stored() {
        let fetcher = Fetcher::new(FetcherConfig {
            max_bytes: 1000,
            timeout: Duration::from_secs(1),
            documents_dir: None,
            allow_private_networks: false,
            allow_private_origins: Vec::new(),
            proxy: None,
        })
        .unwrap();
        let url = |s: String| Url::parse(&s).unwrap();
        let base64 = |n: usize| url(format!("data:text/plain;base64,{}", "QUJD".repeat(n / 4)));
        assert!(fetcher.precheck(&base64(1300)).is_ok(), "975 bytes decoded");
        let err = fetcher.precheck(&base64(1400)).unwrap_err();
        assert!(err.contains("over this server's limit of 1000"), "{err}");
        assert!(
            fetcher
                .precheck(&url(format!("data:,{}", "a".repeat(1000))))
                .is_ok()
        );
        assert!(
            fetcher
                .precheck(&url(format!("data:,{}", "a".repeat(3100))))
                .is_err()
        );
        // Percent-escapes may decode to a third of their length.
        assert!(
            fetcher
                .precheck(&url(format!("data:,{}", "%41".repeat(333))))
                .is_ok()
        );
    }

    #[test]
    fn literal_private_destinations_are_refused_unless_that_exact_origin_is_allowed() {
        let strict = Guard {
            allow_private: false,
            allow_origins: vec!["127.0.0.1:8080".parse().unwrap()],
        };
        let open = Guard {
            allow_private: true,
            allow_origins: Vec::new(),
        };
        for u in [
            "http://127.0.0.1/x",
            "http://[::1]:8080/",
            "http://169.254.169.254/latest/meta-data",
            "https://10.0.0.1/",
            "http://[::ffff:192.168.1.1]/",
            "http://0.0.0.0/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://127.0.0.1:8081/",
        ] {
            let url = Url::parse(u).unwrap();
            assert!(strict.destination_allowed(&url).is_err(), "{u}");
            assert!(open.destination_allowed(&url).is_ok(), "{u}");
        }
        let allowed = Url::parse("http://127.0.0.1:8080/doc.txt").unwrap();
        assert!(strict.destination_allowed(&allowed).is_ok());
        let public = Url::parse("https://93.184.216.34/report.pdf").unwrap();
        assert!(strict.destination_allowed(&public).is_ok());
        // Names are left to the resolver.
        assert!(
            strict
                .destination_allowed(&Url::parse("http://localhost/").unwrap())
                .is_ok()
        );
    }
}
