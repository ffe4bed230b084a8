import CTSS2

/// Turns a failed TPM flow step into a `KeyStoreError` a person can act on.
///
/// A TPM that cannot be reached or answers with a warning (busy, out of
/// memory) is `.unavailable`: trying again later may work. A sealed key the
/// TPM refuses to load (its integrity check fails: another TPM's, or this TPM
/// was cleared) or to unseal (the PCRs it is bound to changed) is
/// `.sealedElsewhere`: no retry will open it.
enum TPM2Failure {
    static func error(_ result: LocketTPMResult, tcti: String, path: String? = nil) -> KeyStoreError {
        let code = result.rc
        let text = "\(String(cString: locket_tpm_rc_text(code))) (0x\(String(code, radix: 16)))"
        let isTPMLayer = code & 0xFFFF_0000 == 0 && code != 0
        // Format-one response codes (bit 7) are errors about a handle, session or parameter;
        // format-zero ones with bit 11 are warnings (retry later).
        let isFormatOne = isTPMLayer && code & 0x80 != 0
        let errorNumber = code & 0x3F
        let blob = path ?? "the sealed key"
        switch result.step {
        case LOCKET_TPM_STEP_TCTI, LOCKET_TPM_STEP_CONNECT:
            return .unavailable("cannot reach the TPM through the TCTI \"\(tcti)\": \(text); check that the device exists and this user may open it (group tss), or set --tpm-tcti / TSS2_TCTI")
        case LOCKET_TPM_STEP_PRIMARY where isFormatOne && (errorNumber == 0x22 || errorNumber == 0x0E):
            return .unavailable("the TPM refused to derive its storage key: the owner hierarchy has a password (\(text))")
        case LOCKET_TPM_STEP_LOAD where isFormatOne:
            return .sealedElsewhere("the TPM cannot load \(blob) (\(text)): it was sealed by another machine's TPM (a copied folder or a restored backup), this TPM was cleared since, or the file was changed. Move a vault between machines with `locket export` and `locket import`")
        case LOCKET_TPM_STEP_UNSEAL where isFormatOne, LOCKET_TPM_STEP_POLICY where isFormatOne:
            return .sealedElsewhere("the TPM refuses to unseal \(blob) (\(text)): the PCRs it is bound to no longer hold the values it was sealed with (a firmware, boot loader or Secure Boot change). Restore the vault from a `locket export` made before the change")
        case LOCKET_TPM_STEP_FORMAT:
            return .malformed("\(blob) is not a sealed 32-byte key this build can read\(code != 0 ? " (\(text))" : "")")
        default:
            return .unavailable("the TPM (\(tcti)) failed while \(stepName(result.step)): \(text)")
        }
    }

    static func stepName(_ step: LocketTPMStep) -> String {
        switch step {
        case LOCKET_TPM_STEP_PROBE: "answering a first command"
        case LOCKET_TPM_STEP_PRIMARY: "deriving its storage key"
        case LOCKET_TPM_STEP_SESSION: "starting an encrypted session"
        case LOCKET_TPM_STEP_POLICY: "checking the PCR policy"
        case LOCKET_TPM_STEP_CREATE: "sealing the key"
        case LOCKET_TPM_STEP_LOAD: "loading the sealed key"
        case LOCKET_TPM_STEP_UNSEAL: "unsealing the key"
        default: "connecting"
        }
    }
}
