using Microsoft.CodeAnalysis.CSharp;

namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>What a case must produce: exactly one of the two outcomes issue #8 §5 allows.</summary>
public enum Expectation
{
    /// <summary>Generated code that compiles with zero warnings, a value bit for bit equal to the method's, and a
    /// gradient that matches Richardson-extrapolated centered differences (and the closed form, when given).</summary>
    Gradient,

    /// <summary>Exactly one SG error in the case's files, at the node marked <c>[| |]</c>, whose message contains
    /// every fragment of <see cref="AdversarialCase.Says"/>; no gradient for the method and no CS error anywhere.</summary>
    Error,
}

/// <summary>
/// One method whose gradient a gradient case checks: how to call it and what to compare with. Defaults fit a static
/// method <c>F</c> of the case's class <c>C</c> whose parameters are doubles.
/// </summary>
public sealed record Target
{
    /// <summary>The [Differentiable] method's name.</summary>
    public string Method { get; init; } = "F";

    /// <summary>
    /// The host type as C# text; <c>$NS</c> is the case's namespace, <c>$ID</c> the case's name. Generic hosts give
    /// their type arguments (<c>$NS.Box&lt;double&gt;</c>).
    /// </summary>
    public string Host { get; init; } = "$NS.C";

    /// <summary>For an overload: the parameter types as C# displays them (<c>"double, double"</c>).</summary>
    public string? Signature { get; init; }

    /// <summary>The receiver of an instance method, as a C# expression (<c>new $NS.Model(2.0)</c>).</summary>
    public string? Instance { get; init; }

    /// <summary>Type arguments of a generic method (<c>"double"</c>).</summary>
    public string? TypeArguments { get; init; }

    /// <summary>C# expressions for data parameters, by parameter name; unlisted ones get a default of their type.</summary>
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();

    /// <summary>Lengths of differentiable array and span parameters, by name (default 3).</summary>
    public IReadOnlyDictionary<string, int> Lengths { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Go through the generated <c>NameObjective(ObjectiveArguments)</c> instead of calling Name and NameGradient
    /// directly: for parameters the direct adapter cannot pack (structs, records, tuples).
    /// </summary>
    public bool ViaObjective { get; init; }

    /// <summary>The arguments of <c>NameObjective</c> when <see cref="ViaObjective"/> is set.</summary>
    public string ObjectiveArguments { get; init; } = string.Empty;

    /// <summary>Explicit points (each must pass); random points in [<see cref="Low"/>, <see cref="High"/>] fill up to two.</summary>
    public IReadOnlyList<double[]> Points { get; init; } = Array.Empty<double[]>();

    public double Low { get; init; } = 0.35;

    public double High { get; init; } = 1.65;

    /// <summary>The exact gradient at a point, when a closed form is known; compared to 1e-9 relative.</summary>
    public Func<double[], double[]>? Closed { get; init; }

    /// <summary>Points where the method throws: the gradient method must throw the same exception type with the same message.</summary>
    public IReadOnlyList<double[]> ThrowsAt { get; init; } = Array.Empty<double[]>();

    /// <summary>
    /// The value is a staircase at the scale of numeric steps (it goes through Half): skip the numeric comparison and
    /// check the value bit for bit and the gradient against <see cref="Closed"/> at <see cref="Points"/> only.
    /// </summary>
    public bool ClosedOnly { get; init; }

    /// <summary>The value goes through float somewhere (a cast): check with float-sized steps and tolerances.</summary>
    public bool FloatPrecision { get; init; }

    /// <summary>
    /// The method is <c>[Differentiable(Hessian = true)]</c>: its objective (<c>NameObjective(ObjectiveArguments)</c>)
    /// must have exact Hessians, checked against centered differences of the gradient, and Hessian-vector products
    /// that agree with them.
    /// </summary>
    public bool Hessian { get; init; }

    /// <summary>Points where the value is not finite (NaN, ∞): only the value is compared there, bit for bit.</summary>
    public IReadOnlyList<double[]> NonFiniteAt { get; init; } = Array.Empty<double[]>();
}

/// <summary>
/// One unusual-but-legal construct and the outcome it must have. Sources are members of
/// <c>public static partial class C</c> in the namespace <c>Adv.&lt;Name&gt;</c> (with the usings of
/// <see cref="AdversarialRunner.Usings"/>), or a whole file when <see cref="WholeFile"/> is set, where <c>$NS</c> is
/// that namespace and <c>$ID</c> the case's name.
/// </summary>
public sealed record AdversarialCase
{
    /// <summary>Unique, a C# identifier (a known bug's skipped test is named after it).</summary>
    public required string Name { get; init; }

    public required string Source { get; init; }

    public required Expectation Expect { get; init; }

    /// <summary>The source is a whole file (with $NS and $ID placeholders), not members of the class C.</summary>
    public bool WholeFile { get; init; }

    /// <summary>The class the members go in, when not a whole file.</summary>
    public string Wrapper { get; init; } = "public static partial class C";

    /// <summary>Further files of the case (whole files, same placeholders).</summary>
    public IReadOnlyList<string> MoreFiles { get; init; } = Array.Empty<string>();

    /// <summary>The gradients a gradient case checks (one target <c>F</c> of <c>C</c> when empty).</summary>
    public IReadOnlyList<Target> Targets { get; init; } = Array.Empty<Target>();

    /// <summary>For an error case: the diagnostic's ID.</summary>
    public string? Id { get; init; }

    /// <summary>For an error case: fragments its message must contain (what is not supported, what to write instead).</summary>
    public IReadOnlyList<string> Says { get; init; } = Array.Empty<string>();

    /// <summary>
    /// For an error case: further SG errors it must also have, as <c>"ID@Method"</c> (one each, inside that method;
    /// the ID may be <c>*</c>),
    /// when one construct legitimately refuses two methods (a callee and the caller that inlines it).
    /// </summary>
    public IReadOnlyList<string> Also { get; init; } = Array.Empty<string>();

    /// <summary>
    /// For an error case about a whole region (too deep, too large): the diagnostic must start on the marked line and
    /// inside the mark, not at exactly the marked span.
    /// </summary>
    public bool LineOnly { get; init; }

    /// <summary>Compile the case as a console program (top-level statements).</summary>
    public bool Executable { get; init; }

    /// <summary>For an error case: fragments its message must not contain (advice that does not apply here).</summary>
    public IReadOnlyList<string> SaysNot { get; init; } = Array.Empty<string>();

    /// <summary>For an error case: the method that must get no gradient.</summary>
    public string ErrorMethod { get; init; } = "F";

    /// <summary>Warnings the case's own source may have (the construct itself warns, as <c>new</c> without need would).</summary>
    public IReadOnlyList<string> InputWarnings { get; init; } = Array.Empty<string>();

    /// <summary>The C# version of the case's files (12 unless the construct needs a newer one).</summary>
    public LanguageVersion Language { get; init; } = Harness.ParseOptions.LanguageVersion;

    /// <summary>Large inputs (10,000 terms, 300 parameters) are compiled in a batch of their own.</summary>
    public bool Heavy { get; init; }

    /// <summary>Where the construct comes from (issue #8 §1 reproduction, a list item...), for the report.</summary>
    public string? Note { get; init; }

    public IReadOnlyList<Target> EffectiveTargets => Targets.Count > 0 ? Targets : new[] { new Target() };

    public string Namespace => "Adv." + Name;

    public override string ToString() => Name;
}
