import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

struct LineageDocument: Encodable {
    struct Node: Encodable {
        let id: String
        let kind: String
        let label: String
    }
    struct Edge: Encodable {
        let from: String
        let to: String
        let label: String
    }
    let root: String
    let nodes: [Node]
    let edges: [Edge]
}
