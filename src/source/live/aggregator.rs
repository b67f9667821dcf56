//! (being written)

#[derive(Debug, Clone, Default)]
pub struct AggregatorOptions {}

pub async fn scan_aggregator(_o: &AggregatorOptions) {}
