/*
 * A small shim over tpm2-tss (ESAPI) for Locket's tpm2 key store.
 *
 * Why it exists: tpm2-tss defines its constants as casting macros
 * (`((TPM2_ALG_ID) 0x0023)`) and its templates as nested unions, which do not
 * import into Swift. These static inline functions build the two fixed
 * templates and run the two flows (seal, unseal) with every transient object
 * flushed on every path: without a resource manager (swtpm, /dev/tpm0) a
 * transient left behind stays in the TPM until it is full.
 *
 * The key crosses the wire encrypted: each flow runs in an HMAC (or policy)
 * session salted with the storage primary, with parameter encryption (AES-128-CFB).
 * Key bytes only live in caller-provided buffers and in ESAPI's copies, which
 * are wiped before they are freed.
 */
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_mu.h>
#include <stdlib.h>
#include <string.h>

/* Which step of a flow failed; LOCKET_TPM_OK when none did. */
typedef enum {
    LOCKET_TPM_OK = 0,
    LOCKET_TPM_STEP_TCTI = 1,       /* Tss2_TctiLdr_Initialize: the TCTI string or its device/socket */
    LOCKET_TPM_STEP_CONNECT = 2,    /* Esys_Initialize */
    LOCKET_TPM_STEP_PROBE = 3,      /* a first command (GetRandom) */
    LOCKET_TPM_STEP_PRIMARY = 4,    /* CreatePrimary under the owner hierarchy */
    LOCKET_TPM_STEP_SESSION = 5,    /* StartAuthSession */
    LOCKET_TPM_STEP_POLICY = 6,     /* PolicyPCR / PolicyGetDigest */
    LOCKET_TPM_STEP_CREATE = 7,     /* Create: sealing */
    LOCKET_TPM_STEP_LOAD = 8,       /* Load of the sealed object under the primary */
    LOCKET_TPM_STEP_UNSEAL = 9,     /* Unseal */
    LOCKET_TPM_STEP_FORMAT = 10,    /* (un)marshalling the blob, or a wrong size */
} LocketTPMStep;

typedef struct {
    LocketTPMStep step;
    TSS2_RC rc;
} LocketTPMResult;

/* One connection to the TPM: opened and closed around each flow (swtpm serves one client at a time). */
typedef struct {
    TSS2_TCTI_CONTEXT *tcti;
    ESYS_CONTEXT *esys;
} LocketTPM;

/* The sealed key as stored: the object's public and private parts, and the PCRs it is bound to. */
#define LOCKET_TPM_BLOB_MAX 4096

static inline LocketTPMResult locket_tpm_result(LocketTPMStep step, TSS2_RC rc) {
    LocketTPMResult result = { step, rc };
    return result;
}

static inline LocketTPMResult locket_tpm_open(const char *tcti_conf, LocketTPM *tpm) {
    tpm->tcti = NULL;
    tpm->esys = NULL;
    TSS2_RC rc = Tss2_TctiLdr_Initialize(tcti_conf, &tpm->tcti);
    if (rc != TSS2_RC_SUCCESS) {
        tpm->tcti = NULL;
        return locket_tpm_result(LOCKET_TPM_STEP_TCTI, rc);
    }
    rc = Esys_Initialize(&tpm->esys, tpm->tcti, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        tpm->esys = NULL;
        Tss2_TctiLdr_Finalize(&tpm->tcti);
        return locket_tpm_result(LOCKET_TPM_STEP_CONNECT, rc);
    }
    return locket_tpm_result(LOCKET_TPM_OK, 0);
}

static inline void locket_tpm_close(LocketTPM *tpm) {
    if (tpm->esys != NULL) Esys_Finalize(&tpm->esys);
    if (tpm->tcti != NULL) Tss2_TctiLdr_Finalize(&tpm->tcti);
}

static inline void locket_tpm_flush(LocketTPM *tpm, ESYS_TR *handle) {
    if (*handle != ESYS_TR_NONE) {
        Esys_FlushContext(tpm->esys, *handle);
        *handle = ESYS_TR_NONE;
    }
}

/* Checks that the TPM answers a command (used by `auto` before choosing the TPM). */
static inline LocketTPMResult locket_tpm_probe(LocketTPM *tpm) {
    TPM2B_DIGEST *random = NULL;
    TSS2_RC rc = Esys_GetRandom(tpm->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 8, &random);
    free(random);
    return locket_tpm_result(rc == TSS2_RC_SUCCESS ? LOCKET_TPM_OK : LOCKET_TPM_STEP_PROBE, rc);
}

/* The storage primary: an ECC P-256 restricted decryption key (the TCG SRK
 * template), made again from the owner hierarchy's seed by each flow. Same TPM,
 * same seed, same key; another TPM (or this one after a clear) gives another. */
static inline LocketTPMResult locket_tpm_create_primary(LocketTPM *tpm, ESYS_TR *primary) {
    TPM2B_SENSITIVE_CREATE sensitive;
    memset(&sensitive, 0, sizeof sensitive);
    TPM2B_PUBLIC template;
    memset(&template, 0, sizeof template);
    template.publicArea.type = TPM2_ALG_ECC;
    template.publicArea.nameAlg = TPM2_ALG_SHA256;
    template.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT
        | TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA
        | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
    template.publicArea.parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
    template.publicArea.parameters.eccDetail.symmetric.keyBits.aes = 128;
    template.publicArea.parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    template.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    template.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    template.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    TPM2B_DATA outside;
    memset(&outside, 0, sizeof outside);
    TPML_PCR_SELECTION creation;
    memset(&creation, 0, sizeof creation);
    TSS2_RC rc = Esys_CreatePrimary(tpm->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                                    &sensitive, &template, &outside, &creation, primary,
                                    NULL, NULL, NULL, NULL);
    if (rc != TSS2_RC_SUCCESS) {
        *primary = ESYS_TR_NONE;
        return locket_tpm_result(LOCKET_TPM_STEP_PRIMARY, rc);
    }
    return locket_tpm_result(LOCKET_TPM_OK, 0);
}

/* The SHA-256 bank's PCRs in `mask` (bit n = PCR n, 0-23). */
static inline TPML_PCR_SELECTION locket_tpm_pcr_selection(uint32_t mask) {
    TPML_PCR_SELECTION selection;
    memset(&selection, 0, sizeof selection);
    selection.count = 1;
    selection.pcrSelections[0].hash = TPM2_ALG_SHA256;
    selection.pcrSelections[0].sizeofSelect = 3;
    selection.pcrSelections[0].pcrSelect[0] = (uint8_t)(mask & 0xff);
    selection.pcrSelections[0].pcrSelect[1] = (uint8_t)((mask >> 8) & 0xff);
    selection.pcrSelections[0].pcrSelect[2] = (uint8_t)((mask >> 16) & 0xff);
    return selection;
}

/* A session salted with the primary, with parameter encryption both ways:
 * HMAC (`type` TPM2_SE_HMAC), a policy session, or a trial policy session. */
static inline LocketTPMResult locket_tpm_start_session(LocketTPM *tpm, ESYS_TR primary, TPM2_SE type, ESYS_TR *session) {
    TPMT_SYM_DEF symmetric;
    memset(&symmetric, 0, sizeof symmetric);
    symmetric.algorithm = TPM2_ALG_AES;
    symmetric.keyBits.aes = 128;
    symmetric.mode.aes = TPM2_ALG_CFB;
    TSS2_RC rc = Esys_StartAuthSession(tpm->esys, primary, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                       NULL, type, &symmetric, TPM2_ALG_SHA256, session);
    if (rc != TSS2_RC_SUCCESS) {
        *session = ESYS_TR_NONE;
        return locket_tpm_result(LOCKET_TPM_STEP_SESSION, rc);
    }
    if (type != TPM2_SE_TRIAL) {
        rc = Esys_TRSess_SetAttributes(tpm->esys, *session,
                                       TPMA_SESSION_DECRYPT | TPMA_SESSION_ENCRYPT | TPMA_SESSION_CONTINUESESSION, 0xff);
        if (rc != TSS2_RC_SUCCESS) return locket_tpm_result(LOCKET_TPM_STEP_SESSION, rc);
    }
    return locket_tpm_result(LOCKET_TPM_OK, 0);
}

/* PolicyPCR on the session with the PCRs' current values. */
static inline LocketTPMResult locket_tpm_policy_pcr(LocketTPM *tpm, ESYS_TR session, uint32_t mask) {
    TPML_PCR_SELECTION selection = locket_tpm_pcr_selection(mask);
    TPM2B_DIGEST empty;
    memset(&empty, 0, sizeof empty);
    TSS2_RC rc = Esys_PolicyPCR(tpm->esys, session, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &empty, &selection);
    return locket_tpm_result(rc == TSS2_RC_SUCCESS ? LOCKET_TPM_OK : LOCKET_TPM_STEP_POLICY, rc);
}

/* Seals `key` (`key_size` bytes, at most 128) under the storage primary; when
 * `pcr_mask` is not 0, only a policy session that saw the same values of those
 * PCRs unseals it. Writes the blob (the PCR mask, big-endian, then the public
 * and private parts as TPM2B structures) to `blob` and its size to `blob_size`. */
static inline LocketTPMResult locket_tpm_seal(LocketTPM *tpm, const uint8_t *key, size_t key_size, uint32_t pcr_mask,
                                              uint8_t *blob, size_t blob_capacity, size_t *blob_size) {
    ESYS_TR primary = ESYS_TR_NONE, session = ESYS_TR_NONE, trial = ESYS_TR_NONE;
    TPM2B_PRIVATE *out_private = NULL;
    TPM2B_PUBLIC *out_public = NULL;
    TPM2B_DIGEST *policy = NULL;
    TPM2B_SENSITIVE_CREATE sensitive;
    memset(&sensitive, 0, sizeof sensitive);
    LocketTPMResult result = locket_tpm_result(LOCKET_TPM_OK, 0);
    TSS2_RC rc;

    if (key_size == 0 || key_size > sizeof sensitive.sensitive.data.buffer) {
        return locket_tpm_result(LOCKET_TPM_STEP_FORMAT, 0);
    }
    result = locket_tpm_create_primary(tpm, &primary);
    if (result.step != LOCKET_TPM_OK) goto done;

    TPM2B_PUBLIC template;
    memset(&template, 0, sizeof template);
    template.publicArea.type = TPM2_ALG_KEYEDHASH;
    template.publicArea.nameAlg = TPM2_ALG_SHA256;
    template.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_NODA;
    template.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
    if (pcr_mask != 0) {
        result = locket_tpm_start_session(tpm, primary, TPM2_SE_TRIAL, &trial);
        if (result.step != LOCKET_TPM_OK) goto done;
        result = locket_tpm_policy_pcr(tpm, trial, pcr_mask);
        if (result.step != LOCKET_TPM_OK) goto done;
        rc = Esys_PolicyGetDigest(tpm->esys, trial, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &policy);
        if (rc != TSS2_RC_SUCCESS) { result = locket_tpm_result(LOCKET_TPM_STEP_POLICY, rc); goto done; }
        template.publicArea.authPolicy = *policy;
        locket_tpm_flush(tpm, &trial);
    } else {
        template.publicArea.objectAttributes |= TPMA_OBJECT_USERWITHAUTH;
    }

    result = locket_tpm_start_session(tpm, primary, TPM2_SE_HMAC, &session);
    if (result.step != LOCKET_TPM_OK) goto done;
    sensitive.sensitive.data.size = (UINT16)key_size;
    memcpy(sensitive.sensitive.data.buffer, key, key_size);
    TPM2B_DATA outside;
    memset(&outside, 0, sizeof outside);
    TPML_PCR_SELECTION creation;
    memset(&creation, 0, sizeof creation);
    rc = Esys_Create(tpm->esys, primary, session, ESYS_TR_NONE, ESYS_TR_NONE, &sensitive, &template, &outside,
                     &creation, &out_private, &out_public, NULL, NULL, NULL);
    explicit_bzero(&sensitive, sizeof sensitive);
    if (rc != TSS2_RC_SUCCESS) { result = locket_tpm_result(LOCKET_TPM_STEP_CREATE, rc); goto done; }

    if (blob_capacity < 4) { result = locket_tpm_result(LOCKET_TPM_STEP_FORMAT, 0); goto done; }
    blob[0] = (uint8_t)(pcr_mask >> 24);
    blob[1] = (uint8_t)(pcr_mask >> 16);
    blob[2] = (uint8_t)(pcr_mask >> 8);
    blob[3] = (uint8_t)pcr_mask;
    size_t offset = 4;
    rc = Tss2_MU_TPM2B_PUBLIC_Marshal(out_public, blob, blob_capacity, &offset);
    if (rc == TSS2_RC_SUCCESS) rc = Tss2_MU_TPM2B_PRIVATE_Marshal(out_private, blob, blob_capacity, &offset);
    if (rc != TSS2_RC_SUCCESS) { result = locket_tpm_result(LOCKET_TPM_STEP_FORMAT, rc); goto done; }
    *blob_size = offset;

done:
    explicit_bzero(&sensitive, sizeof sensitive);
    free(out_private);
    free(out_public);
    free(policy);
    locket_tpm_flush(tpm, &trial);
    locket_tpm_flush(tpm, &session);
    locket_tpm_flush(tpm, &primary);
    return result;
}

/* Unseals the key in `blob` into `key` (exactly `key_size` bytes expected). */
static inline LocketTPMResult locket_tpm_unseal(LocketTPM *tpm, const uint8_t *blob, size_t blob_size,
                                                uint8_t *key, size_t key_size) {
    ESYS_TR primary = ESYS_TR_NONE, session = ESYS_TR_NONE, object = ESYS_TR_NONE;
    TPM2B_SENSITIVE_DATA *data = NULL;
    TPM2B_PUBLIC in_public;
    TPM2B_PRIVATE in_private;
    memset(&in_public, 0, sizeof in_public);
    memset(&in_private, 0, sizeof in_private);
    LocketTPMResult result = locket_tpm_result(LOCKET_TPM_OK, 0);
    TSS2_RC rc;

    if (blob_size < 4) return locket_tpm_result(LOCKET_TPM_STEP_FORMAT, 0);
    uint32_t pcr_mask = ((uint32_t)blob[0] << 24) | ((uint32_t)blob[1] << 16) | ((uint32_t)blob[2] << 8) | blob[3];
    size_t offset = 4;
    rc = Tss2_MU_TPM2B_PUBLIC_Unmarshal(blob, blob_size, &offset, &in_public);
    if (rc == TSS2_RC_SUCCESS) rc = Tss2_MU_TPM2B_PRIVATE_Unmarshal(blob, blob_size, &offset, &in_private);
    if (rc != TSS2_RC_SUCCESS || offset != blob_size) return locket_tpm_result(LOCKET_TPM_STEP_FORMAT, rc);

    result = locket_tpm_create_primary(tpm, &primary);
    if (result.step != LOCKET_TPM_OK) goto done;
    rc = Esys_Load(tpm->esys, primary, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &in_private, &in_public, &object);
    if (rc != TSS2_RC_SUCCESS) { object = ESYS_TR_NONE; result = locket_tpm_result(LOCKET_TPM_STEP_LOAD, rc); goto done; }
    result = locket_tpm_start_session(tpm, primary, pcr_mask != 0 ? TPM2_SE_POLICY : TPM2_SE_HMAC, &session);
    if (result.step != LOCKET_TPM_OK) goto done;
    if (pcr_mask != 0) {
        result = locket_tpm_policy_pcr(tpm, session, pcr_mask);
        if (result.step != LOCKET_TPM_OK) goto done;
    }
    rc = Esys_Unseal(tpm->esys, object, session, ESYS_TR_NONE, ESYS_TR_NONE, &data);
    if (rc != TSS2_RC_SUCCESS) { result = locket_tpm_result(LOCKET_TPM_STEP_UNSEAL, rc); goto done; }
    if (data->size != key_size) { result = locket_tpm_result(LOCKET_TPM_STEP_FORMAT, 0); goto done; }
    memcpy(key, data->buffer, key_size);

done:
    if (data != NULL) {
        explicit_bzero(data, sizeof *data);
        free(data);
    }
    locket_tpm_flush(tpm, &session);
    locket_tpm_flush(tpm, &object);
    locket_tpm_flush(tpm, &primary);
    return result;
}

/* A readable text for a TSS2 or TPM response code (static storage, no secret). */
static inline const char *locket_tpm_rc_text(TSS2_RC rc) { return Tss2_RC_Decode(rc); }
