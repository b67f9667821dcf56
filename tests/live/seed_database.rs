//! (being written)

use super::seed::Seeder;

pub async fn seed(_s: &mut Seeder) {}
