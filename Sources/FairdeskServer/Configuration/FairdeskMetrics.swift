import Foundation
import Prometheus

/// The Prometheus metrics `/metrics` serves.
public struct FairdeskMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let messagesIngested: Counter
    let duplicatesIgnored: Counter
    let needsAttention: Counter
    let ingestLatency: DurationHistogram
    let outboxDepth: Gauge
    let deliveries: Counter
    let deliveryFailures: Counter
    let writeBatchSize: ValueHistogram

    init() {
        messagesIngested = registry.makeCounter(name: "fairdesk_messages_ingested_total", help: "Inbound messages stored on a ticket")
        duplicatesIgnored = registry.makeCounter(name: "fairdesk_messages_duplicate_total", help: "Redelivered messages recognised and stored once")
        needsAttention = registry.makeCounter(name: "fairdesk_messages_needing_attention_total", help: "Inbound messages kept for an admin to look at")
        ingestLatency = registry.makeDurationHistogram(
            name: "fairdesk_ingest_duration_seconds",
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)],
            help: "Time from a received message to it being durably stored")
        outboxDepth = registry.makeGauge(name: "fairdesk_outbox_depth", help: "Outgoing messages waiting to be sent")
        deliveries = registry.makeCounter(name: "fairdesk_deliveries_total", help: "Outgoing messages delivered")
        deliveryFailures = registry.makeCounter(name: "fairdesk_delivery_failures_total", help: "Failed delivery attempts (temporary and permanent)")
        writeBatchSize = registry.makeValueHistogram(
            name: "fairdesk_write_batch_size", buckets: [1, 2, 4, 8, 16, 32, 64, 128],
            help: "Write transactions committed together (SQLite group commit)")
    }

    func render() -> String { registry.emitToString() }
}
