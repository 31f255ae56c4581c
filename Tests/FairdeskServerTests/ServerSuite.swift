import Testing

/// Every suite that touches the database nests here, so they run one after another
/// (PostgreSQL runs share one database).
@Suite(.serialized) struct ServerSuite {}
