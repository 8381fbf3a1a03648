import Foundation
import ArgumentParser
import RegistryDocuments
import RegistryKit
import RegistryModel

/// What an export wrote, for the deploy job to keep: `--receipt FILE`.
struct ExportReceipt: Encodable {
    let format = "mreg-export-receipt-v1"
    let reference: String
    let model: String
    let version: Int
    let digest: String
    let destination: String
    let exportedAt: String
    let files: [VersionDocument.File]

    init(_ outcome: ExportOutcome, exportedAt: String) {
        let record = outcome.version
        reference = "\(record.model)@\(record.number)"
        model = record.model
        version = record.number
        digest = record.manifestDigest.description
        destination = outcome.destination
        self.exportedAt = exportedAt
        files = record.files.map { VersionDocument.File(path: $0.path, digest: $0.digest.description, size: $0.size, executable: $0.executable) }
    }
}
