using System.Text;

namespace SymbolicGrad.Generator.Models;

/// <summary>A parameter of the user's method as the generated signatures repeat it.</summary>
internal sealed class ParameterModel
{
    public ParameterModel(string name, string type, string modifiers, bool isRefLike)
    {
        Name = name;
        Type = type;
        Modifiers = modifiers;
        IsRefLike = isRefLike;
    }

    /// <summary>As written in C# (a keyword escaped with @).</summary>
    public string Name { get; }

    /// <summary>Fully qualified.</summary>
    public string Type { get; }

    /// <summary>"in ", "this ", "scoped "... as declared (never params or a default value: outputs follow).</summary>
    public string Modifiers { get; }

    public bool IsRefLike { get; }

    /// <summary>A reference type declared not nullable in a nullable context (double[] x, not double[]? x or oblivious).</summary>
    public bool NotNull { get; init; }

    /// <summary>
    /// The declared default value as a C# constant expression (<c>2D</c>, <c>true</c>, <c>null</c>), or null when the
    /// parameter has none (or one this cannot write). NameObjective repeats it for data parameters at the end of its list.
    /// </summary>
    public string? DefaultValue { get; init; }
}

/// <summary>Everything about the user's method that the generated file repeats: where it lives and its signature. Strings only.</summary>
internal sealed class MethodModel
{
    public string? Namespace { get; set; }

    /// <summary>Declarations of the containing types, outermost first, e.g. "static partial class Losses".</summary>
    public List<string> Containers { get; } = new();

    public string Accessibility { get; set; } = "public";

    public bool IsStatic { get; set; }

    /// <summary>The method is declared in a ref struct (its objective cannot capture this).</summary>
    public bool InRefStruct { get; set; }

    /// <summary>The method is an instance member of a struct (lambdas must copy this).</summary>
    public bool InStruct { get; set; }

    /// <summary>The name as written (escaped when a keyword).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The stem of generated names: the name without @.</summary>
    public string Stem { get; set; } = string.Empty;

    /// <summary>double, float, T; for a vector-valued method, the results' element type.</summary>
    public string ReturnType { get; set; } = "double";

    public bool IsVectorFunction { get; set; }

    public List<ParameterModel> Parameters { get; } = new();

    public List<string> TypeParameters { get; } = new();

    /// <summary>Constraint clauses, e.g. "where T : global::System.Numerics.IFloatingPointIeee754&lt;T&gt;".</summary>
    public List<string> Constraints { get; } = new();

    /// <summary>Type.Method(double, double), for comments.</summary>
    public string Display { get; set; } = string.Empty;

    /// <summary>[Differentiable(Hessian = true)].</summary>
    public bool Hessian { get; set; }

    /// <summary>Not [Differentiable(Vectorize = false)]: loops that only add into arrays may become SIMD kernels.</summary>
    public bool Vectorize { get; set; } = true;

    /// <summary>[Differentiable(Reassociate = true)]: sums may become vectorized dot products and sums.</summary>
    public bool Reassociate { get; set; }

    /// <summary>Names of generated members that hide an inherited member of the same signature (declared with 'new').</summary>
    public List<string> Hides { get; } = new();

    /// <summary>The generated members to leave out (NameObjective when a generic method cannot be closed, for example).</summary>
    public List<string> Omit { get; } = new();

    /// <summary>For generic methods whose type parameters are all reals: T → double, to close NameObjective.</summary>
    public bool ObjectiveClosesOverDouble { get; set; }

    public string HintName { get; set; } = string.Empty;

    /// <summary>Where to report a problem the back end finds (not part of <see cref="Key"/>: moving the method does not regenerate it).</summary>
    public DiagnosticInfo? Location { get; set; }

    /// <summary>The method's identity in the dependency table (see MethodKey), to record that the back end reported here; not part of <see cref="Key"/>.</summary>
    public string TableId { get; set; } = string.Empty;

    public DiagnosticInfo Anchor(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, params string[] args) =>
        Location is { } l ? l with { Id = descriptor.Id, Arguments = new EquatableArray<string>(args) } : new DiagnosticInfo(descriptor.Id, string.Empty, default, default, new EquatableArray<string>(args));

    public string Key
    {
        get
        {
            var sb = new StringBuilder();
            sb.Append(Namespace).Append('|').Append(string.Join(";", Containers)).Append('|').Append(Accessibility).Append(IsStatic).Append(InRefStruct).Append(InStruct)
                .Append('|').Append(Name).Append('|').Append(Stem).Append('|').Append(ReturnType).Append(IsVectorFunction).Append('|')
                .Append(string.Join(";", Parameters.Select(p => p.Modifiers + p.Type + " " + p.Name + (p.IsRefLike ? "&" : string.Empty) + (p.NotNull ? "!" : string.Empty) + (p.DefaultValue is { } value ? "=" + value : string.Empty))))
                .Append('|').Append(string.Join(",", TypeParameters)).Append('|').Append(string.Join(";", Constraints)).Append('|').Append(Display)
                .Append('|').Append(Hessian).Append(Vectorize).Append(Reassociate).Append('|').Append(string.Join(",", Hides)).Append('|').Append(string.Join(",", Omit)).Append(ObjectiveClosesOverDouble).Append('|').Append(HintName);
            return sb.ToString();
        }
    }
}

/// <summary>
/// The result of the front end for one method: its model and IR, or the diagnostics that stop it. Compared by a key
/// (the model and the IR's canonical text), so an unchanged method is Cached and the expensive stages do not run.
/// </summary>
internal sealed class MethodUnit : IEquatable<MethodUnit>
{
    public MethodUnit(MethodModel? model, Ir.IrMethod? ir, EquatableArray<DiagnosticInfo> diagnostics)
    {
        Model = model;
        Ir = ir;
        Diagnostics = diagnostics;
        Key = model is null || ir is null ? string.Empty : model.Key + "\n" + Generator.Ir.IrDump.Of(ir);
    }

    /// <summary>
    /// The same unit keyed with its position too: for a method the back end reported a diagnostic on, so that moving it
    /// (lines added above) runs the back end again and the diagnostic moves with it.
    /// </summary>
    public MethodUnit WithPositionInKey()
    {
        if (Model?.Location is not { } l)
        {
            return this;
        }

        var unit = new MethodUnit(Model, Ir, Diagnostics);
        unit.Key = Key + "\n@" + l.FilePath + ":" + l.Span.Start.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":"
            + l.LineSpan.Start.Line.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + l.LineSpan.Start.Character.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return unit;
    }

    public MethodModel? Model { get; }

    public Ir.IrMethod? Ir { get; }

    public EquatableArray<DiagnosticInfo> Diagnostics { get; }

    public string Key { get; private set; }

    public bool Equals(MethodUnit? other) => other is not null && other.Key == Key && other.Diagnostics.Equals(Diagnostics);

    public override bool Equals(object? obj) => obj is MethodUnit u && Equals(u);

    public override int GetHashCode() => Key.GetHashCode() ^ Diagnostics.GetHashCode();
}
