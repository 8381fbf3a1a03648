import Foundation

/// A change of a version's labels or description after registration, recorded as a ledger
/// event; the manifest keeps what was registered, and `show` applies annotations in order.
public struct Annotation: Hashable, Sendable {
    /// Labels set (added or replaced).
    public let labels: [String: String]
    /// Labels removed.
    public let removedLabels: [String]
    /// The new description; nil leaves it as it was, "" clears it.
    public let description: String?

    public init(labels: [String: String], removedLabels: [String], description: String?) {
        self.labels = labels
        self.removedLabels = removedLabels.sorted()
        self.description = description
    }

    public var isEmpty: Bool { labels.isEmpty && removedLabels.isEmpty && description == nil }

    /// The document an `annotate` event commits to.
    public func document(manifest: Digest) -> JSONValue {
        .object([
            "format": .string("mreg-annotation-v1"),
            "manifest": .string(manifest.description),
            "labels": .object(labels.mapValues(JSONValue.string)),
            "removed_labels": .array(removedLabels.map(JSONValue.string)),
            "description": description.map(JSONValue.string) ?? .null,
        ])
    }
}

/// An annotation as recorded: the event that made it.
public struct RecordedAnnotation: Sendable {
    public let annotation: Annotation
    public let sequence: Int64
    public let at: Date
    public let actor: Registrant
    public let reason: String?

    public init(annotation: Annotation, sequence: Int64, at: Date, actor: Registrant, reason: String?) {
        self.annotation = annotation
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.reason = reason
    }
}

extension VersionRecord {
    /// Labels and description after applying `annotations` (oldest first) to the registered ones.
    public func annotated(by annotations: [RecordedAnnotation]) -> (labels: [String: String], description: String?) {
        var labels = self.labels
        var description = self.description
        for recorded in annotations {
            for key in recorded.annotation.removedLabels { labels[key] = nil }
            labels.merge(recorded.annotation.labels) { $1 }
            if let text = recorded.annotation.description { description = text.isEmpty ? nil : text }
        }
        return (labels, description)
    }
}
