package io.nnfrust.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The shapes and lists that the importer's one-line errors show: written out in full up to eight values, then cut
 * with the count, so that a line stays one line whatever the model (docs/conventions.md, errors).
 */
class MessageTextTest {

    @Test
    void shapesAreShownInFullUpToRankEightThenCutWithTheRank() {
        assertEquals("scalar", ImportContext.shapeText(new int[0]));
        assertEquals("7", ImportContext.shapeText(new int[] {7}));
        assertEquals("1x3x224x224", ImportContext.shapeText(new int[] {1, 3, 224, 224}));
        assertEquals("1x2x3x4x5x6x7x8", ImportContext.shapeText(new int[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertEquals("1x2x3x4x5x6x7x8x... (rank 9)", ImportContext.shapeText(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}));
    }

    @Test
    void listsAreShownInFullUpToEightValuesThenCutWithTheCount() {
        assertEquals("[]", Attrs.brief(new long[0]));
        assertEquals("[3, -1]", Attrs.brief(new int[] {3, -1}));
        assertEquals("[1, 2, 3, 4, 5, 6, 7, 8]", Attrs.brief(new long[] {1, 2, 3, 4, 5, 6, 7, 8}));
        assertEquals("[1, 2, 3, 4, 5, 6, 7, 8, ... (9 values)]", Attrs.brief(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}));
        assertEquals("[0, 0, 0, 0, 0, 0, 0, 0, ... (1000 values)]", Attrs.brief(new long[1000]));
    }
}
