import Foundation
import RegistryKit
import RegistryModel

public struct LineageDocument: Codable {
    public struct Node: Codable {
        public let id: String
        public let kind: String
        public let label: String

        public init(id: String, kind: String, label: String) {
            self.id = id
            self.kind = kind
            self.label = label
        }
    }
    public struct Edge: Codable {
        public let from: String
        public let to: String
        public let label: String

        public init(from: String, to: String, label: String) {
            self.from = from
            self.to = to
            self.label = label
        }
    }
    public let root: String
    public let nodes: [Node]
    public let edges: [Edge]

    public init(root: String, nodes: [Node], edges: [Edge]) {
        self.root = root
        self.nodes = nodes
        self.edges = edges
    }
}
