//! The few outbound HTTP requests authentication needs: a JWKS document, a token introspection. One pooled
//! client (HTTP/1.1, TLS by rustls with the platform's roots, Mozilla's when the platform has none), every
//! request bounded in time and in the size of its answer.

use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::sync::OnceLock;
use std::time::Duration;

/// The largest answer read (a JWKS or an introspection response is a few KB).
const MAX_ANSWER: usize = 1 << 20;

type HttpsClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

fn client() -> &'static HttpsClient {
    static CLIENT: OnceLock<HttpsClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let builder = hyper_rustls::HttpsConnectorBuilder::new();
        let builder = match builder.with_native_roots() {
            Ok(b) => b,
            Err(_) => hyper_rustls::HttpsConnectorBuilder::new().with_webpki_roots(),
        };
        let connector = builder.https_or_http().enable_http1().build();
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector)
    })
}

/// Why a fetch gave no answer. The text is for logs; it never holds a token or a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError(pub String);

/// A request to send: method, URL, extra headers and a body.
pub struct Outbound<'a> {
    pub method: Method,
    pub url: &'a str,
    pub headers: Vec<(header::HeaderName, HeaderValue)>,
    pub body: Bytes,
    pub timeout: Duration,
}

/// Sends the request; returns the status and the body (at most 1 MiB).
pub async fn send(request: Outbound<'_>) -> Result<(StatusCode, Bytes), FetchError> {
    let uri: http::Uri = request
        .url
        .parse()
        .map_err(|e| FetchError(format!("bad URL {}: {e}", request.url)))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(FetchError(format!("not an http(s) URL: {}", request.url)));
    }
    let mut builder = Request::builder().method(request.method).uri(uri);
    for (name, value) in request.headers {
        builder = builder.header(name, value);
    }
    let req = builder
        .body(Full::new(request.body))
        .map_err(|e| FetchError(e.to_string()))?;
    let exchange = async {
        let response = client()
            .request(req)
            .await
            .map_err(|e| FetchError(format!("request failed: {e}")))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| FetchError(format!("reading the answer failed: {e}")))?
            .to_bytes();
        Ok((status, body))
    };
    tokio::time::timeout(request.timeout, exchange)
        .await
        .map_err(|_| FetchError(format!("no answer within {:?}", request.timeout)))?
}

/// `GET url` accepting JSON; the body of a 200 answer.
pub async fn get_json(url: &str, timeout: Duration) -> Result<Bytes, FetchError> {
    let (status, body) = send(Outbound {
        method: Method::GET,
        url,
        headers: vec![(header::ACCEPT, HeaderValue::from_static("application/json"))],
        body: Bytes::new(),
        timeout,
    })
    .await?;
    if status != StatusCode::OK {
        return Err(FetchError(format!("{url} answered {status}")));
    }
    Ok(body)
}
