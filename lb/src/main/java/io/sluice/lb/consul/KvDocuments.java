package io.sluice.lb.consul;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Turns an answer of {@code GET /v1/kv/<key>} into the document it holds, or a refusal. The answer
 * is hostile input: it must be a JSON list of exactly one entry for the key asked, with a positive
 * ModifyIndex and a base64 Value that decodes to UTF-8 text no larger than the limit. The YAML
 * inside is checked later, against the host's own settings.
 */
final class KvDocuments {
    static final String MISSING = "missing";
    static final String TOO_LARGE = "too_large";
    static final String NOT_UTF8 = "not_utf8";
    static final String MALFORMED = "malformed_answer";
    /** Consul's answer nests two levels; anything deeper is not a KV answer. */
    private static final int MAX_DEPTH = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH)
                .build());
    }

    private KvDocuments() {
    }

    /** The cap for the whole answer: the document base64-encoded, plus Consul's few metadata fields. */
    static int answerCap(int maxDocumentBytes, int maxResponseBytes) {
        long base64 = ((long) maxDocumentBytes + 2) / 3 * 4;
        return (int) Math.min(Integer.MAX_VALUE - 1, Math.max(maxResponseBytes, base64 + 64 * 1024));
    }

    static KvUpdate parse(KvAnswer answer, String key, int maxDocumentBytes) {
        if (!answer.found()) {
            return new KvUpdate.Refused(MISSING, "the key " + key + " does not exist", 0, answer.index());
        }
        if (answer.tooLarge()) {
            return new KvUpdate.Refused(TOO_LARGE, "the answer for " + key + " is larger than max_document_bytes "
                    + maxDocumentBytes + " allows", 0, answer.index());
        }
        JsonNode root;
        try {
            root = JSON.readTree(answer.body());
        } catch (IOException | RuntimeException e) {
            return malformed("not JSON: " + e.getClass().getSimpleName(), 0, answer.index());
        }
        if (root == null || !root.isArray() || root.size() != 1 || !root.get(0).isObject()) {
            return malformed("expected a JSON list of one entry", 0, answer.index());
        }
        JsonNode entry = root.get(0);
        if (!entry.path("Key").isTextual() || !entry.get("Key").asText().equals(key)) {
            return malformed("the entry is not for key " + key, 0, answer.index());
        }
        JsonNode modify = entry.path("ModifyIndex");
        if (!modify.canConvertToLong() || !modify.isIntegralNumber() || modify.longValue() <= 0) {
            return malformed("ModifyIndex is missing or not a positive integer", 0, answer.index());
        }
        long modifyIndex = modify.longValue();
        JsonNode value = entry.path("Value");
        byte[] bytes;
        if (value.isNull() || value.isMissingNode()) {
            bytes = new byte[0]; // Consul's null Value: the key holds an empty value
        } else if (!value.isTextual()) {
            return malformed("Value is not a base64 string", modifyIndex, answer.index());
        } else {
            try {
                bytes = Base64.getDecoder().decode(value.asText());
            } catch (IllegalArgumentException e) {
                return malformed("Value is not base64", modifyIndex, answer.index());
            }
        }
        return document(key, modifyIndex, bytes, maxDocumentBytes, SharedDocument.FROM_CONSUL, answer.index());
    }

    /** The raw value as a document, or a refusal when too large or not UTF-8. */
    static KvUpdate document(String key, long modifyIndex, byte[] bytes, int maxDocumentBytes, String from,
                             long index) {
        if (bytes.length > maxDocumentBytes) {
            return new KvUpdate.Refused(TOO_LARGE, "the document is " + bytes.length + " bytes, more than "
                    + "max_document_bytes " + maxDocumentBytes, modifyIndex, index);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new KvUpdate.Refused(NOT_UTF8, "the document is not UTF-8 text", modifyIndex, index);
        }
        return new KvUpdate.Document(new SharedDocument(key, modifyIndex, text, from), index);
    }

    private static KvUpdate malformed(String reason, long modifyIndex, long index) {
        return new KvUpdate.Refused(MALFORMED, reason, modifyIndex, index);
    }
}
