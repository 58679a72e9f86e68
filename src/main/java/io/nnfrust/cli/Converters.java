package io.nnfrust.cli;

import io.nnfrust.model.WeightInit;
import io.nnfrust.nullmodel.NullKind;
import io.nnfrust.util.NnfrustException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the library's enums that several commands take; each parses with the enum's own parser,
 * so a command line and the library refuse the same names with the same words.
 */
final class Converters {
    private Converters() {}

    /** A {@link NullKind}: N1, N2 or N3 (case-insensitive); anything else is a one-line error. */
    static final class NullKindConverter implements ITypeConverter<NullKind> {
        @Override
        public NullKind convert(String value) {
            try {
                return NullKind.parse(value, "null model");
            } catch (NnfrustException e) {
                throw new TypeConversionException("'" + value + "' is not a null model: use N1, N2 or N3");
            }
        }
    }

    /** A {@link WeightInit}: he or xavier. */
    static final class WeightInitConverter implements ITypeConverter<WeightInit> {
        @Override
        public WeightInit convert(String value) {
            try {
                return WeightInit.parse(value);
            } catch (NnfrustException e) {
                throw new TypeConversionException("unknown weight initialisation '" + value + "' (use he or xavier)");
            }
        }
    }
}
