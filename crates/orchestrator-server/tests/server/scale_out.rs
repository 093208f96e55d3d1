//! Several instances over one PostgreSQL database (filled in below).

use crate::Test;

pub(crate) fn tests() -> Vec<Test> {
    Vec::new()
}
