//! The steps of the supply-chain story that scenarios take again and
//! again, each one HTTP call with its expected status.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

use crate::{TestApp, TestOrg};

/// A small PDF the evidence store recognises by its content.
pub const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

impl TestApp {
    /// `buyer` invites `email` to be its supplier; the invitation, with
    /// its code.
    pub async fn invite(&self, buyer: &TestOrg, email: &str) -> Value {
        self.call(
            Method::POST,
            buyer.token(),
            "/v1/invitations",
            Some(&serde_json::json!({ "email": email })),
            201,
        )
        .await
    }

    /// The requests `org` received (`GET /v1/requests`), newest first.
    pub async fn requests_of(&self, org: &TestOrg) -> Vec<Value> {
        let page = self
            .call(Method::GET, org.token(), "/v1/requests", None, 200)
            .await;
        page["items"].as_array().expect("items").clone()
    }

    /// `org` forwards its `request` (`body`: suppliers, metrics, message);
    /// the requests it made.
    pub async fn forward(&self, org: &TestOrg, request: &str, body: &Value) -> Value {
        self.call(
            Method::POST,
            org.token(),
            &format!("/v1/requests/{request}/forward"),
            Some(body),
            201,
        )
        .await
    }

    /// `org` replaces its draft answer to `request` with `body` (entries,
    /// and `submit`/`share_upstream` if given); the answer as returned.
    pub async fn answer(&self, org: &TestOrg, request: &str, body: &Value) -> Value {
        self.call(
            Method::PUT,
            org.token(),
            &format!("/v1/requests/{request}/answer"),
            Some(body),
            200,
        )
        .await
    }

    /// `reviewer` accepts revision `revision` of the answer to `request`.
    pub async fn accept_revision(&self, reviewer: &TestOrg, request: &str, revision: u32) -> Value {
        self.call(
            Method::POST,
            reviewer.token(),
            &format!("/v1/requests/{request}/answer/revisions/{revision}/accept"),
            None,
            200,
        )
        .await
    }

    /// `tier1` attaches the accepted answer to `child` (a request it
    /// forwarded) to its own answer to `request`.
    pub async fn attach(&self, tier1: &TestOrg, request: &str, child: &str) -> Value {
        self.call(
            Method::POST,
            tier1.token(),
            &format!("/v1/requests/{request}/answer/attachments"),
            Some(&serde_json::json!({ "child_request_id": child })),
            201,
        )
        .await
    }

    /// Uploads a file as evidence for `request`.
    pub async fn upload(
        &self,
        token: &str,
        request: &str,
        file_name: &str,
        mime: &str,
        bytes: Vec<u8>,
    ) -> reqwest::Response {
        self.upload_request(token, request, file_name, mime, bytes)
            .send()
            .await
            .expect("the request is sent")
    }

    /// The upload as a request not yet sent (to add headers).
    pub fn upload_request(
        &self,
        token: &str,
        request: &str,
        file_name: &str,
        mime: &str,
        bytes: Vec<u8>,
    ) -> reqwest::RequestBuilder {
        let part = Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str(mime)
            .expect("a mime type");
        self.client
            .post(self.url(&format!("/v1/requests/{request}/evidence")))
            .bearer_auth(token)
            .multipart(Form::new().part("file", part))
    }

    /// `org` uploads [`PDF`] as evidence for `request`; the evidence id.
    pub async fn upload_pdf(&self, org: &TestOrg, request: &str) -> String {
        let response = self
            .upload(
                org.token(),
                request,
                "statement.pdf",
                "application/pdf",
                PDF.to_vec(),
            )
            .await;
        assert_eq!(response.status(), 201, "uploading evidence");
        let body: Value = response.json().await.expect("an evidence body");
        body["id"].as_str().expect("an evidence id").to_owned()
    }

    /// The `ETag` of `path` as `token` reads it.
    pub async fn etag(&self, token: &str, path: &str) -> String {
        self.get_as(token, path).await.headers()["etag"]
            .to_str()
            .expect("an ASCII ETag")
            .to_owned()
    }

    /// Sends `body` with `If-Match: etag`.
    pub async fn send_if_match(
        &self,
        method: Method,
        token: &str,
        path: &str,
        etag: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .bearer_auth(token)
            .header("if-match", etag)
            .json(body)
            .send()
            .await
            .expect("the request is sent")
    }
}
