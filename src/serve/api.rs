//! `/api/search` of the author preview: the tantivy engine over the site being previewed,
//! so tools (and a future search UI) can ask the server instead of the static index.
//!
//! `GET /api/search?q=mat+khau[&lang=vi][&group=nguoi-dan][&limit=10]` answers JSON:
//! `{"query": "...", "lang": "vi", "results": [{"title", "url", "crumb", "snippet",
//! "highlights": [[start, end], …]}]}` with byte ranges of the matched words in `snippet`.
//! Engines are built on first use per language and dropped whenever the site changes.

use super::http::Body;
use super::respond;
use crate::search::{engine::Engine, Document};
use crate::site::Site;
use hyper::{header, Response, StatusCode};
use std::sync::Mutex;

pub const SEARCH_PATH: &str = "/api/search";

/// The documents of the site last built, and the engines made from them so far.
#[derive(Default)]
pub struct SearchState {
    languages: Vec<String>,
    groups: Vec<String>,
    documents: Vec<Vec<Document>>,
    engines: Vec<Option<Engine>>,
}

impl SearchState {
    /// Indexes into `site.config.languages` of the languages whose documents differ from
    /// those of this state (the ones to index again).
    pub fn changed(&self, site: &Site, documents: &[Vec<Document>]) -> Vec<usize> {
        (0..documents.len())
            .filter(|&l| {
                let held = self.language(site.config.languages[l].id.as_str()).map(|old| &self.documents[old]);
                held != Some(&documents[l])
            })
            .collect()
    }

    /// The state for `site`, whose documents per language are `documents`; the languages
    /// not in `changed` keep their engines.
    pub fn next(mut self, site: &Site, documents: Vec<Vec<Document>>, changed: &[usize]) -> SearchState {
        let languages: Vec<String> = site.config.languages.iter().map(|l| l.id.to_string()).collect();
        let engines = (0..languages.len())
            .map(|l| match self.language(&languages[l]) {
                Some(old) if !changed.contains(&l) => self.engines[old].take(),
                _ => None,
            })
            .collect();
        SearchState {
            groups: site.config.groups.iter().map(|g| g.id.to_string()).collect(),
            documents,
            engines,
            languages,
        }
    }

    fn language(&self, id: &str) -> Option<usize> {
        self.languages.iter().position(|l| l == id)
    }
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::bytes(bytes::Bytes::from(value.to_string())))
        .expect("valid response")
}

/// Answers one `/api/search` request from `state`.
pub fn search(state: &Mutex<SearchState>, query: Option<&str>) -> Response<Body> {
    let mut q = String::new();
    let mut lang = None;
    let mut group = None;
    let mut limit = 10usize;
    for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "q" => q = value.into_owned(),
            "lang" => lang = Some(value.into_owned()),
            "group" => group = Some(value.into_owned()),
            "limit" => limit = value.parse().unwrap_or(10).clamp(1, 100),
            _ => {}
        }
    }
    let mut state = state.lock().expect("search lock");
    let l = match &lang {
        None => 0,
        Some(id) => match state.languages.iter().position(|known| known == id) {
            Some(l) => l,
            None => {
                let error = format!("unknown language \"{id}\"; the site has: {}", state.languages.join(", "));
                return json(StatusCode::BAD_REQUEST, &serde_json::json!({ "error": error }));
            }
        },
    };
    if let Some(g) = &group {
        if !state.groups.contains(g) {
            let error = format!("unknown group \"{g}\"; the site has: {}", state.groups.join(", "));
            return json(StatusCode::BAD_REQUEST, &serde_json::json!({ "error": error }));
        }
    }
    if state.engines.get(l).is_some_and(Option::is_none) {
        let groups: Vec<&str> = state.groups.iter().map(String::as_str).collect();
        match Engine::build(&state.documents[l], &groups) {
            Ok(engine) => state.engines[l] = Some(engine),
            Err(e) => return respond::plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("search index: {e}")),
        }
    }
    let Some(Some(engine)) = state.engines.get(l) else {
        return respond::plain(StatusCode::SERVICE_UNAVAILABLE, "the site is not built yet");
    };
    let hits = match engine.search(&q, group.as_deref(), limit) {
        Ok(hits) => hits,
        Err(e) => return respond::plain(StatusCode::INTERNAL_SERVER_ERROR, &format!("search: {e}")),
    };
    let language = &state.languages[l];
    let results: Vec<serde_json::Value> = hits
        .iter()
        .map(|hit| {
            serde_json::json!({
                "title": hit.title,
                "url": format!("/{language}/{}", hit.path),
                "crumb": hit.crumb,
                "snippet": hit.snippet,
                "highlights": hit.highlights.iter().map(|r| [r.start, r.end]).collect::<Vec<_>>(),
            })
        })
        .collect();
    json(StatusCode::OK, &serde_json::json!({ "query": q, "lang": language, "results": results }))
}
