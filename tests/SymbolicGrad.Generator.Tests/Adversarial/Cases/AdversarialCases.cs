namespace SymbolicGrad.Generator.Tests.Adversarial;

/// <summary>
/// The table of adversarial cases (issue #8 §5), one file per theme. Adding a case is one entry: a name, the source
/// (members of <c>public static partial class C</c>, or a whole file) and the expected outcome.
/// <list type="bullet">
/// <item><c>G(name, members, closed)</c>: a gradient of <c>F</c>, checked against numeric differences at two or more
/// points (and the closed form <c>x =&gt; gradient</c> when given); <c>with { Targets = ... }</c> for other methods,
/// hosts, data, instances.</item>
/// <item><c>E(name, id, members with [| |], says...)</c>: exactly one SG error <c>id</c> at the marked node, whose
/// message contains each of <c>says</c>.</item>
/// </list>
/// </summary>
public static partial class AdversarialCases
{
    /// <summary>The usings of every case's file, for whole-file cases.</summary>
    private const string Usings = AdversarialRunner.Usings;

    public static IEnumerable<AdversarialCase> All() =>
        Issue8Reproductions()
            .Concat(Declarations())
            .Concat(Expressions())
            .Concat(ControlFlow())
            .Concat(Memory())
            .Concat(Names())
            .Concat(Semantics())
            .Concat(SecondOrder())
            .Concat(Mixed())
            .Concat(RoundTrips())
            .Concat(Aliasing())
            .Concat(RedTeamCs14());

    /// <summary>A gradient case: F of class C, checked against numeric differences (and the closed form, if given).</summary>
    public static AdversarialCase G(string name, string source, Func<double[], double[]>? closed = null, string? note = null) => new()
    {
        Name = name,
        Source = source,
        Expect = Expectation.Gradient,
        Targets = closed is null ? Array.Empty<Target>() : new[] { new Target { Closed = closed } },
        Note = note,
    };

    /// <summary>An error case: one SG error <paramref name="id"/> at the node marked [| |].</summary>
    public static AdversarialCase E(string name, string id, string source, params string[] says) => new()
    {
        Name = name,
        Source = source,
        Expect = Expectation.Error,
        Id = id,
        Says = says,
    };

    /// <summary>One target with a closed form (for <c>with { Targets = ... }</c>).</summary>
    public static Target T(string method = "F", Func<double[], double[]>? closed = null) => new() { Method = method, Closed = closed };
}
