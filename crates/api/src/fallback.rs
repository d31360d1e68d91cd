//! Answers for requests no route took: 404 for an unknown path, 405 with
//! `Allow` for a known path with the wrong method.
//!
//! actix-web's method-guarded routes fall through to the default service
//! whatever the reason, so the route table is rebuilt here from the OpenAPI
//! document, which lists every path and its methods.

use actix_web::http::{Method, StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;

use crate::problem::Problem;

/// Every documented path template and the methods it accepts.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<Method>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

impl RouteTable {
    pub fn from_openapi(document: &OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .split('/')
                    .map(|part| {
                        if part.starts_with('{') && part.ends_with('}') {
                            Segment::Parameter
                        } else {
                            Segment::Literal(part.to_owned())
                        }
                    })
                    .collect();
                let methods = [
                    (item.get.is_some(), Method::GET),
                    (item.post.is_some(), Method::POST),
                    (item.put.is_some(), Method::PUT),
                    (item.patch.is_some(), Method::PATCH),
                    (item.delete.is_some(), Method::DELETE),
                ]
                .into_iter()
                .filter_map(|(present, method)| present.then_some(method))
                .collect();
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods of the routes whose path is `path` itself, without
    /// parameters (`/v1/invitations/accept`), or `None` when there is none.
    /// Such a path also matches a parameter route (`/v1/invitations/{id}`);
    /// a request that reaches that one only for want of its method is a
    /// 405, not a bad id.
    pub fn literal_methods(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut found: Option<Vec<Method>> = None;
        for (segments, methods) in &self.routes {
            let literal = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(segment, part)| {
                    matches!(segment, Segment::Literal(literal) if literal == part)
                });
            if literal {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(methods.iter().cloned());
            }
        }
        found
    }

    /// The methods accepted at `path`, or `None` when no route has that path.
    pub fn allowed_methods(&self, path: &str) -> Option<Vec<Method>> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut allowed: Vec<Method> = Vec::new();
        let mut matched = false;
        for (segments, methods) in &self.routes {
            let matches = segments.len() == parts.len()
                && segments
                    .iter()
                    .zip(&parts)
                    .all(|(segment, part)| match segment {
                        Segment::Literal(literal) => literal == part,
                        Segment::Parameter => !part.is_empty(),
                    });
            if matches {
                matched = true;
                allowed.extend(methods.iter().cloned());
            }
        }
        matched.then_some(allowed)
    }
}

/// 405 with `Allow` listing `methods`, for `req`'s method and path.
pub fn method_not_allowed(req: &HttpRequest, methods: &[Method]) -> HttpResponse {
    let allow = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let problem = Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        Some(format!(
            "{} is not allowed on {}; use {allow}",
            req.method(),
            req.path()
        )),
    );
    let mut response = problem.to_response();
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The application's default service.
pub async fn unmatched(req: HttpRequest, table: web::Data<RouteTable>) -> HttpResponse {
    // A fixed path (`/v1/invitations/accept`) is not also an `{id}`.
    let methods = table
        .literal_methods(req.path())
        .or_else(|| table.allowed_methods(req.path()));
    if req.path().starts_with("/3/") {
        return pact_unmatched(&req, methods.as_deref());
    }
    match methods {
        Some(methods) => method_not_allowed(&req, &methods),
        None => Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            Some(format!("no resource at {}", req.path())),
        )
        .to_response(),
    }
}

/// Under PACT's `/3/`, the same answers in PACT's `{code, message}` shape.
fn pact_unmatched(req: &HttpRequest, methods: Option<&[Method]>) -> HttpResponse {
    use actix_web::ResponseError;

    use crate::routes::pact::PactError;
    match methods {
        Some(methods) => {
            let allow = methods
                .iter()
                .map(Method::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            let mut response = PactError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "BadRequest",
                format!(
                    "{} is not allowed on {}; use {allow}",
                    req.method(),
                    req.path()
                ),
            )
            .error_response();
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        }
        None => PactError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("no resource at {}", req.path()),
        )
        .error_response(),
    }
}
