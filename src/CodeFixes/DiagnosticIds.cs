namespace SymbolicGrad.CodeFixes;

/// <summary>
/// The generator's diagnostic IDs that have a code fix (docs/diagnostics.md). The code fixes do not reference the
/// generator: the IDs are its public contract, and a test checks each one against the generator's descriptors.
/// </summary>
internal static class DiagnosticIds
{
    /// <summary>The containing type must be partial.</summary>
    public const string TypeNotPartial = "SG0001";

    /// <summary>Not supported yet; among them a jagged or rectangular array parameter that is not [NoDerivative].</summary>
    public const string NotSupportedYet = "SG0006";

    /// <summary>A parameter's name collides with a gradient output (<c>dX</c> for <c>x</c>).</summary>
    public const string OutputNameCollision = "SG0007";

    /// <summary>Call to a method with no known derivative.</summary>
    public const string UnknownDerivative = "SG0015";

    /// <summary>
    /// A member of the type is already named like a generated member (<c>NameGradient</c> or <c>NameObjective</c>),
    /// reported at that member's name. Proposed for the generator's rewrite: today the collision is compiler error CS0111
    /// in the generated file.
    /// </summary>
    public const string GeneratedNameCollision = "SG0030";
}
