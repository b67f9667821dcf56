//! The one denial classifier: whether AWS refused a call for want of a permission. The
//! readers ask it of the SDK's parsed error ([`is_denied`], through `ctx::why`, which then
//! names the missing permission); the recorder asks it of the raw answer
//! ([`is_denied_answer`], for the actions AWS denied at least once). Both decide on the
//! answer's AWS error code with [`is_denial_code`].

use std::fmt::Debug;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// Error codes AWS services use for a denied call.
pub(crate) const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "UnauthorizedException",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "ForbiddenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "OptInRequired",
    "SubscriptionRequiredException",
];

/// Whether an AWS error code (`AccessDenied`, or a JSON `__type` such as
/// `com.amazonaws.ecs#AccessDeniedException`, or an `x-amzn-ErrorType` header with its
/// `:…` suffix) denies the call.
pub(crate) fn is_denial_code(code: &str) -> bool {
    let code = code.rsplit('#').next().unwrap_or(code);
    let code = code.split(':').next().unwrap_or(code).trim();
    DENIED.contains(&code)
}

/// Whether the SDK's error is a service's denial (its parsed error code).
pub fn is_denied<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: Debug,
{
    match err {
        SdkError::ServiceError(_) => err.code().is_some_and(is_denial_code),
        _ => false,
    }
}

/// Whether a raw answer (HTTP `status`, the `x-amzn-ErrorType` header, the body) is a
/// denial: a 4xx answer whose AWS error code denies the call.
pub(crate) fn is_denied_answer(status: u16, header: Option<&str>, body: &[u8]) -> bool {
    (400..500).contains(&status) && error_code(header, body).is_some_and(|c| is_denial_code(&c))
}

/// The AWS error code of an error answer, in any AWS protocol: the `x-amzn-ErrorType`
/// header, a JSON body's `__type` or `code`, an XML body's first `<Code>`. Only the code
/// is taken from the body.
fn error_code(header: Option<&str>, body: &[u8]) -> Option<String> {
    if let Some(h) = header.filter(|h| !h.trim().is_empty()) {
        return Some(h.to_string());
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) {
        return ["__type", "code", "Code"]
            .iter()
            .find_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_string));
    }
    let text = String::from_utf8_lossy(body);
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")?;
    Some(text[start..start + end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    use super::*;

    fn is_denial(header: Option<&str>, body: &[u8]) -> bool {
        is_denied_answer(403, header, body)
    }

    #[test]
    fn denials_in_every_protocol() {
        assert!(is_denial(
            Some("AccessDeniedException:http://internal.amazon.com/"),
            b""
        ));
        assert!(is_denial(
            None,
            br#"{"__type":"com.amazonaws.ecs#AccessDeniedException","message":"no"}"#
        ));
        assert!(is_denial(None, br#"{"code":"AccessDeniedException"}"#));
        assert!(is_denial(
            None,
            b"<Response><Errors><Error><Code>UnauthorizedOperation</Code></Error></Errors></Response>"
        ));
        assert!(is_denial(
            None,
            b"<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>"
        ));
    }

    #[test]
    fn a_denial_code_elsewhere_in_the_body_is_not_a_denial() {
        // A throttle whose message or a document quotes a denial code.
        assert!(!is_denial(
            None,
            br#"{"__type":"ThrottlingException","message":"\"AccessDenied\" happens later"}"#
        ));
        assert!(!is_denial(
            None,
            b"<Error><Code>SlowDown</Code><Message><Code>AccessDenied</Code></Message></Error>"
        ));
        assert!(!is_denial(None, b"not an error body"));
    }

    #[test]
    fn only_a_client_error_answer_is_a_denial() {
        let body = br#"{"__type":"AccessDeniedException"}"#;
        assert!(is_denied_answer(400, None, body));
        assert!(!is_denied_answer(200, None, body));
        assert!(!is_denied_answer(500, None, body));
    }

    /// The readers (parsed error) and the recorder (raw answer) decide alike.
    #[test]
    fn parsed_and_raw_answers_are_classified_alike() {
        let codes = DENIED.iter().copied().chain([
            "com.amazonaws.ecs#AccessDeniedException",
            "ThrottlingException",
            "ValidationError",
            "NoSuchEntity",
            "AccessDeniedButNotReally",
        ]);
        for code in codes {
            let meta = ErrorMetadata::builder().code(code).build();
            let raw = HttpResponse::new(403.try_into().expect("status"), SdkBody::empty());
            let parsed = is_denied(&SdkError::service_error(meta, raw));
            assert_eq!(parsed, is_denied_answer(403, Some(code), b""), "{code}");
            assert_eq!(parsed, is_denial_code(code), "{code}");
        }
        assert!(!is_denial_code("ThrottlingException"));
        assert!(is_denial_code("com.amazonaws.ecs#AccessDeniedException"));
    }
}
