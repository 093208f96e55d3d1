//! [`Client::from_env`](crate::Client::from_env): the base URL and the key
//! from the variables the command-line client reads, so a program and the
//! CLI agree on where the API is and which key to use.

use crate::error::{Error, Result};

/// The base URL when `ORCHESTRATOR_API_URL` is unset (the reference
/// server's default address, as for the CLI).
const DEFAULT_API_URL: &str = "http://127.0.0.1:8000";

/// The variables holding the key, the first set one wins:
/// `ORCHESTRATOR_API_KEY`, then the spec's `ADMIN_API_KEY`.
const KEY_VARIABLES: [&str; 2] = ["ORCHESTRATOR_API_KEY", "ADMIN_API_KEY"];

/// What the environment says.
#[derive(Debug, PartialEq)]
pub(crate) struct FromEnv {
    pub(crate) base_url: String,
    pub(crate) token: Option<String>,
}

/// The base URL and token from the variables `get` reads (the process
/// environment in [`Client::from_env`](crate::Client::from_env); a map in
/// tests). A variable that is set but empty is a mistake, never a missing
/// token in disguise.
pub(crate) fn read(get: impl Fn(&str) -> Option<String>) -> Result<FromEnv> {
    let base_url = match get("ORCHESTRATOR_API_URL") {
        Some(url) if url.trim().is_empty() => {
            return Err(Error::invalid_input(
                "ORCHESTRATOR_API_URL is set but empty",
            ));
        }
        Some(url) => url.trim().to_owned(),
        None => DEFAULT_API_URL.to_owned(),
    };
    let mut token = None;
    if let Some((name, key)) = KEY_VARIABLES
        .iter()
        .find_map(|name| get(name).map(|key| (*name, key)))
    {
        // A key file's trailing newline is not part of the key.
        let key = key.trim_end_matches(['\r', '\n']);
        if key.trim().is_empty() {
            return Err(Error::invalid_input(format!("{name} is set but empty")));
        }
        token = Some(key.to_owned());
    }
    Ok(FromEnv { base_url, token })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{FromEnv, read};
    use crate::ErrorKind;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_url_and_key_come_from_the_clis_variables() {
        let got = read(vars(&[
            ("ORCHESTRATOR_API_URL", "https://tasks.example.com/api/"),
            ("ORCHESTRATOR_API_KEY", "k-1\n"),
        ]));
        assert_eq!(
            got.unwrap(),
            FromEnv {
                base_url: "https://tasks.example.com/api/".into(),
                token: Some("k-1".into())
            }
        );
    }

    #[test]
    fn without_variables_it_is_the_default_address_and_no_key() {
        let got = read(vars(&[])).unwrap();
        assert_eq!(got.base_url, "http://127.0.0.1:8000");
        assert_eq!(got.token, None);
    }

    #[test]
    fn the_specs_admin_api_key_is_read_when_the_clis_is_unset() {
        let got = read(vars(&[("ADMIN_API_KEY", "k-2")])).unwrap();
        assert_eq!(got.token.as_deref(), Some("k-2"));
    }

    #[test]
    fn an_empty_key_or_url_is_an_error_naming_the_variable_not_a_silent_anonymous_client() {
        for (pairs, says) in [
            (
                vec![("ORCHESTRATOR_API_KEY", "")],
                "ORCHESTRATOR_API_KEY is set but empty",
            ),
            (
                vec![("ORCHESTRATOR_API_KEY", "\n")],
                "ORCHESTRATOR_API_KEY is set but empty",
            ),
            (
                vec![("ADMIN_API_KEY", " ")],
                "ADMIN_API_KEY is set but empty",
            ),
            (
                vec![("ORCHESTRATOR_API_URL", "")],
                "ORCHESTRATOR_API_URL is set but empty",
            ),
        ] {
            let err = read(vars(&pairs)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
            assert_eq!(err.message(), says);
        }
    }
}
