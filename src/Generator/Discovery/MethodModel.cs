namespace SymbolicGrad.Generator.Discovery;

/// <summary>A parameter of the user's method, as the emitter needs it.</summary>
internal sealed class ParameterModel
{
    public ParameterModel(string name, string type, bool differentiable, string outputName, bool isRefLike, bool isThis, bool isSingle, string? arrayElement = null)
    {
        ArrayElement = arrayElement;
        Name = name;
        Type = type;
        Differentiable = differentiable;
        OutputName = outputName;
        IsRefLike = isRefLike;
        IsThis = isThis;
        IsSingle = isSingle;
    }

    /// <summary>The name as written in C# (escaped when a keyword).</summary>
    public string Name { get; }

    public string Type { get; }

    public bool Differentiable { get; }

    /// <summary>dX for x.</summary>
    public string OutputName { get; }

    public bool IsRefLike { get; }

    /// <summary>The 'this' parameter of an extension method.</summary>
    public bool IsThis { get; }

    public bool IsSingle { get; }

    /// <summary>For differentiable arrays and spans: the element type (the output is a Span of it).</summary>
    public string? ArrayElement { get; }

    /// <summary>How the gradient output is declared.</summary>
    public string OutputDeclaration => ArrayElement is null ? "out " + Type + " " + OutputName : "global::System.Span<" + ArrayElement + "> " + OutputName;
}

/// <summary>Everything about the user's method the generated file repeats: where it lives and its signature.</summary>
internal sealed class MethodModel
{
    public string? Namespace { get; set; }

    /// <summary>Declarations of the containing types, outermost first, e.g. "static partial class Losses".</summary>
    public List<string> Containers { get; } = new();

    public string Accessibility { get; set; } = "public";

    public bool IsStatic { get; set; }

    public string ReturnType { get; set; } = "double";

    public string Name { get; set; } = string.Empty;

    public List<ParameterModel> Parameters { get; } = new();

    /// <summary>Type.Method(double, double), for comments and hint names.</summary>
    public string Display { get; set; } = string.Empty;

    public List<string> Usings { get; } = new();

    /// <summary>The method's type parameters (generic math), e.g. T.</summary>
    public List<string> TypeParameters { get; } = new();

    /// <summary>The method's constraint clauses, e.g. "where T : global::System.Numerics.IFloatingPointIeee754&lt;T&gt;".</summary>
    public List<string> Constraints { get; } = new();

    public List<string> NamespaceUsings { get; } = new();
}
