import * as assert from "node:assert/strict";
import { isLanguageEnabled, restOfLineAllowsSuggestion, shouldTrigger, type TriggerContext } from "../../../src/completion/triggerRules";

const NOW = 1_700_000_000_000;
const typing: TriggerContext = {
    lineBefore: "const x = ",
    lineAfter: "",
    documentEmpty: false,
    languageId: "typescript",
    enableLanguages: { "*": true },
    enabled: true,
    now: NOW,
    explicit: false,
    selectionEmpty: true,
};
const reasonOf = (ctx: Partial<TriggerContext>): string | undefined => {
    const decision = shouldTrigger({ ...typing, ...ctx });
    return decision.trigger ? undefined : decision.reason;
};

describe("trigger rules", () => {
    it("triggers at the end of a line while typing", () => {
        assert.deepEqual(shouldTrigger(typing), { trigger: true });
        assert.equal(reasonOf({ lineBefore: "", lineAfter: "" }), undefined);
    });

    it("never triggers in an empty document, not even on request", () => {
        assert.equal(reasonOf({ documentEmpty: true }), "empty-document");
        assert.equal(reasonOf({ documentEmpty: true, explicit: true }), "empty-document");
    });

    it("respects the global switch, also for explicit requests", () => {
        assert.equal(reasonOf({ enabled: false }), "disabled");
        assert.equal(reasonOf({ enabled: false, explicit: true }), "disabled");
    });

    it("does not trigger with a selection, not even on request", () => {
        assert.equal(reasonOf({ selectionEmpty: false }), "selection");
        assert.equal(reasonOf({ selectionEmpty: false, explicit: true }), "selection");
    });

    describe("snooze", () => {
        it("blocks typing until the snooze ends", () => {
            assert.equal(reasonOf({ snoozedUntil: NOW + 1 }), "snoozed");
            assert.equal(reasonOf({ snoozedUntil: NOW }), undefined, "ends exactly at snoozedUntil");
            assert.equal(reasonOf({ snoozedUntil: NOW - 60_000 }), undefined);
            assert.equal(reasonOf({ snoozedUntil: undefined }), undefined);
        });

        it("lets an explicit request through", () => {
            assert.equal(reasonOf({ snoozedUntil: NOW + 60_000, explicit: true }), undefined);
        });
    });

    describe("languages", () => {
        it("uses the language's own entry, then '*', then on", () => {
            const map = { "*": false, python: true };
            assert.equal(isLanguageEnabled(map, "python"), true);
            assert.equal(isLanguageEnabled(map, "go"), false);
            assert.equal(isLanguageEnabled({ markdown: false }, "go"), true);
            assert.equal(isLanguageEnabled({ "*": true, markdown: false }, "markdown"), false);
            assert.equal(isLanguageEnabled({}, "markdown"), true);
        });

        it("does not read Object.prototype for odd language ids", () => {
            assert.equal(isLanguageEnabled({ "*": false }, "constructor"), false);
            assert.equal(isLanguageEnabled({ "*": false }, "__proto__"), false);
            assert.equal(isLanguageEnabled({ "*": true }, "toString"), true);
        });

        it("blocks a disabled language, also for explicit requests", () => {
            const enableLanguages = { "*": true, markdown: false };
            assert.equal(reasonOf({ languageId: "markdown", enableLanguages }), "language-disabled");
            assert.equal(reasonOf({ languageId: "markdown", enableLanguages, explicit: true }), "language-disabled");
            assert.equal(reasonOf({ languageId: "typescript", enableLanguages }), undefined);
        });
    });

    describe("mid-line", () => {
        const allowed = [")", "]", "}", ">", "'", '"', "`", "))", ");", ") {", "},", "  )  ", ":", ";", "\t", " ", "')", "]);", "\r"];
        const refused = ["x", "foo()", " + 1", "=> {", ") + 1", ";;", ",)", "// note", ".length", "{ a }"];

        for (const after of allowed) {
            it(`suggests before ${JSON.stringify(after)}`, () => {
                assert.equal(restOfLineAllowsSuggestion(after), true);
                assert.equal(reasonOf({ lineAfter: after }), undefined);
            });
        }
        for (const after of refused) {
            it(`does not suggest before ${JSON.stringify(after)}`, () => {
                assert.equal(restOfLineAllowsSuggestion(after), false);
                assert.equal(reasonOf({ lineAfter: after }), "mid-line");
            });
        }

        it("lets an explicit request through mid-line", () => {
            assert.equal(reasonOf({ lineAfter: "foo()", explicit: true }), undefined);
        });
    });

    describe("manual mode", () => {
        it("never triggers on typing, wherever the cursor is", () => {
            assert.equal(reasonOf({ manual: true }), "manual");
            assert.equal(reasonOf({ manual: true, lineAfter: "foo()" }), "manual");
            assert.equal(reasonOf({ manual: true, snoozedUntil: NOW + 1 }), "manual");
        });

        it("answers an explicit request, mid-line too", () => {
            assert.equal(reasonOf({ manual: true, explicit: true }), undefined);
            assert.equal(reasonOf({ manual: true, explicit: true, lineAfter: "foo()" }), undefined);
        });

        it("does not open what stays closed on request: the switch, a language, a selection", () => {
            assert.equal(reasonOf({ manual: true, explicit: true, enabled: false }), "disabled");
            assert.equal(reasonOf({ manual: true, explicit: true, enableLanguages: { typescript: false } }), "language-disabled");
            assert.equal(reasonOf({ manual: true, explicit: true, selectionEmpty: false }), "selection");
        });
    });

    it("reports the reason the user can act on first", () => {
        assert.equal(reasonOf({ enabled: false, documentEmpty: true, snoozedUntil: NOW + 1, lineAfter: "x" }), "disabled");
        assert.equal(reasonOf({ snoozedUntil: NOW + 1, lineAfter: "x" }), "snoozed");
    });
});
