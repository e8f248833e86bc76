//! Rules over the built site rather than the source: what a learner's browser will have to
//! download. `build` runs them too, so an author sees a page grow over budget at once.

pub mod budget;
pub mod image_budget;
pub mod translations;
