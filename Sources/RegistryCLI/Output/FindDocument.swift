import ArgumentParser
import Foundation
import RegistryKit
import RegistryModel

struct FindDocument: Encodable {
    struct Result: Encodable {
        let reference: String
        /// The version number, as every document names it.
        let version: Int
        let digest: String
        let relations: [String]
        let aliases: [String]
    }
    let results: [Result]
}
