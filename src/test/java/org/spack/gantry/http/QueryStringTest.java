package org.spack.gantry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The spec parameter as the reference reads it. Each expected value is what Python
 * 3.11's {@code parse_qsl(query, keep_blank_values=True)} gives (the reference's aiohttp
 * reads {@code request.query} through yarl, which calls it), first value of the name.
 */
class QueryStringTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
        "spec=%zz | %zz",
        "spec=zlib@1.3.1%20%2Bshared%20arch=linux%gcc@11.4.0 | zlib@1.3.1 +shared arch=linux%gcc@11.4.0",
        "spec=zlib@1.3.1+%2Bshared+arch%3Dx%25gcc%4011 | zlib@1.3.1 +shared arch=x%gcc@11",
        "spec | ''",
        "spec= | ''",
        "a=1&spec=x&spec=y | x",
        "&&spec=%7e%7E | ~~",
        "sp%65c=z | z",
        "spec=%e2%82%ac | \u20ac",
        "spec=%ff%fe | \ufffd\ufffd",
        "spec=%e2%82 | \ufffd",
        "spec=% | %",
        "spec=%4 | %4",
        "spec=a%2 | a%2",
        "spec=a=b | a=b",
        "x=1;spec=2 | NONE",
    })
    void readsTheSpecAsPythonsParseQsl(String query, String expected) {
        assertEquals(expected, QueryString.first(query, "spec"));
    }

    @org.junit.jupiter.api.Test
    void aNulByteIsKept() {
        assertEquals("\u0000", QueryString.first("spec=%00", "spec"));
        assertEquals(null, QueryString.first("", "spec"));
        assertEquals(null, QueryString.first(null, "spec"));
    }
}
