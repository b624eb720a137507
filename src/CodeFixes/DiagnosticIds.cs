namespace SymbolicGrad.CodeFixes;

/// <summary>
/// The generator's diagnostic IDs that have a code fix (docs/diagnostics.md). The code fixes do not reference the
/// generator: the IDs are its public contract, and a test checks each one against the generator's descriptors.
/// </summary>
internal static class DiagnosticIds
{
    /// <summary>The containing type must be partial.</summary>
    public const string TypeNotPartial = "SG0001";

    /// <summary>Not supported yet; among them a parameter that cannot be differentiated (jagged, rectangular, a struct whose gradient cannot be built).</summary>
    public const string NotSupportedYet = "SG0006";

    /// <summary>A gradient output's name is taken (<c>dX</c> for <c>x</c> beside a parameter <c>dX</c>), reported at the parameter to rename.</summary>
    public const string OutputNameCollision = "SG0007";

    /// <summary>A parameter that holds numbers but is read as data (List&lt;double&gt;, an array of structs): a warning.</summary>
    public const string DataParameterHoldsNumbers = "SG0037";

    /// <summary>A call to a method whose body the generator cannot see (in another project or assembly) with a differentiated argument.</summary>
    public const string UnknownDerivative = "SG0015";

    /// <summary>
    /// A member of the type is already named like a generated member (<c>NameGradient</c> or <c>NameObjective</c>),
    /// reported at that member's name.
    /// </summary>
    public const string GeneratedNameCollision = "SG0030";
}
