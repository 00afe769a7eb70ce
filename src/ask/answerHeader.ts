// The top of an answer document: the question, quoted, and the cut, if the selection lost its middle.

import { cutMarker, type MiddleCut } from "./askPrompt";

export function answerHeader(question: string, cut: MiddleCut | undefined): string {
    const quote = (text: string) => `> ${text.split(/\r?\n/).join("\n> ")}\n\n`;
    return quote(question) + (cut ? quote(cutMarker(cut)) : "");
}
