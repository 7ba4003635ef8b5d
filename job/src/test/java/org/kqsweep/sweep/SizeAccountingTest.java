package org.kqsweep.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SizeAccountingTest {

    @ParameterizedTest
    @CsvSource({
        "1, 0",
        "2, 1",
        "3, 2",
        "4, 2",
        "5, 3",
        "255, 8",
        "256, 8",
        "257, 9",
        "65536, 16",
    })
    void bitsPerIndex(int k, int bits) {
        assertEquals(bits, SizeAccounting.bitsPerIndex(k));
    }

    @Test
    void bitsPerIndexRejectsZero() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SizeAccounting.bitsPerIndex(0));

        assertTrue(error.getMessage().contains("found 0"), error.getMessage());
    }

    @Test
    void tensorBytesFourLevels() {
        // 288 * 2 index bits = 72 bytes, plus 4 float32 entries = 16 bytes.
        assertEquals(88, SizeAccounting.quantizedTensorBytes(288, 4));
    }

    @Test
    void tensorBytesThreeLevels() {
        // 3 entries still need 2 index bits: 72 bytes, plus 12 bytes of codebook.
        assertEquals(84, SizeAccounting.quantizedTensorBytes(288, 3));
    }

    @Test
    void tensorBytesSingleLevel() {
        // No index bits, one float32 entry.
        assertEquals(4, SizeAccounting.quantizedTensorBytes(288, 1));
    }

    @Test
    void tensorBytesRoundUp() {
        // 5 * 3 bits = 15 bits, plus 5 * 32 = 160 bits: 175 bits, so 22 bytes.
        assertEquals(22, SizeAccounting.quantizedTensorBytes(5, 5));
    }

    @Test
    void tensorBytesBeyondIntRange() {
        // 2^32 values at 8 bits each: 2^32 bytes, plus 256 * 4 bytes of codebook.
        assertEquals((1L << 32) + 1024, SizeAccounting.quantizedTensorBytes(1L << 32, 256));
    }

    @Test
    void floatBytes() {
        assertEquals(1152, SizeAccounting.floatBytes(288));
    }
}
