//! Result permalinks: a `Secret` (128 random bits) in `/r/{token}`.

pub use crate::secret::Secret as ResultToken;
