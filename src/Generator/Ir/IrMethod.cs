namespace SymbolicGrad.Generator.Ir;

/// <summary>One scalar or array part of a parameter (a struct parameter has one leaf per field).</summary>
internal sealed class Leaf
{
    public Leaf(Var var, string access, bool differentiable)
    {
        Var = var;
        Access = access;
        Differentiable = differentiable;
    }

    /// <summary>The variable that holds the leaf's value in the body.</summary>
    public Var Var { get; }

    /// <summary>How the leaf is read from the parameter: "" for the parameter itself, ".X" for a field.</summary>
    public string Access { get; }

    /// <summary>Gets a gradient (a real or a real array, and not [NoDerivative]).</summary>
    public bool Differentiable { get; }
}

/// <summary>What kind of parameter of the generated methods a parameter is.</summary>
internal enum ParamKind
{
    /// <summary>A parameter of the user's method.</summary>
    Parameter,

    /// <summary>The result span of a vector-valued method (its last parameter, written by the body).</summary>
    Results,

    /// <summary>A [Trainable] field or property of the instance, differentiated like a parameter.</summary>
    Trainable,
}

/// <summary>A parameter of the user's method as the transforms and the emitter see it.</summary>
internal sealed class IrParam
{
    public IrParam(string name, string type, ParamKind kind, List<Leaf> leaves, string? structType)
    {
        Name = name;
        Type = type;
        Kind = kind;
        Leaves = leaves;
        StructType = structType;
    }

    /// <summary>The name as written in C# (a keyword escaped with @), or this.Member for a trainable member.</summary>
    public string Name { get; }

    /// <summary>The declared type, fully qualified.</summary>
    public string Type { get; }

    public ParamKind Kind { get; }

    public List<Leaf> Leaves { get; }

    /// <summary>For a struct parameter: its type (the gradient output has the same type).</summary>
    public string? StructType { get; }

    /// <summary>How a struct gradient is built from its leaves: "new T { X = {0}, Y = {1} }" or "new T({0}, {1})".</summary>
    public string? StructConstruction { get; set; }

    public bool Differentiable => Leaves.Exists(l => l.Differentiable);
}

/// <summary>A method in the IR: its parameters, its body and its result.</summary>
internal sealed class IrMethod
{
    private int _nextId;

    public IrMethod(IrType returnType) => ReturnType = returnType;

    /// <summary>double, float or T; for a vector-valued method the element type of its results.</summary>
    public IrType ReturnType { get; }

    public List<IrParam> Params { get; } = new();

    public Block Body { get; set; } = new();

    /// <summary>The returned value (null for a vector-valued method, whose results are written into its last parameter).</summary>
    public Operand? Result { get; set; }

    /// <summary>Generic type parameters of the method, for naming (reserved names).</summary>
    public List<string> TypeParameters { get; } = new();

    /// <summary>Pooled resources the code uses (tapes, scratch buffers): declared at the start, released at the end.</summary>
    public List<(Var Var, string Creation)> Resources { get; } = new();

    /// <summary>
    /// What the method reads as data that an output could share memory with and that no array parameter stands for: a
    /// parameter holding numbers (List&lt;double&gt;, IReadOnlyList&lt;double&gt;, ReadOnlyMemory&lt;double&gt;), a static
    /// field or a field of the model that holds arrays. Access is the C# that reads it at entry, Memory whether it is a
    /// memory of doubles; each output is checked against them before it is cleared.
    /// </summary>
    public List<(string Access, string Label, bool Memory)> DataMemories { get; } = new();

    /// <summary>
    /// Results of code run as written that read the model's [Trainable] members (a string from S.ToString("R")): varied
    /// for the checks, as the same results from a parameter are, so that reading a number back from them (double.Parse)
    /// is refused (red-team M).
    /// </summary>
    public HashSet<Var> VariedByModel { get; } = new();

    public int VarCount => _nextId;

    public Var NewVar(string hint, IrType type, VarRole role, bool mutable = false) => new(_nextId++, hint, type, role, mutable);

    /// <summary>A copy to transform: the same parameters, a copy of the body, new variables numbered after this method's.</summary>
    public IrMethod Fork()
    {
        var fork = new IrMethod(ReturnType) { Body = IrClone.Block(Body), Result = Result, _nextId = _nextId };
        fork.Params.AddRange(Params);
        fork.TypeParameters.AddRange(TypeParameters);
        fork.Resources.AddRange(Resources);
        fork.DataMemories.AddRange(DataMemories);
        return fork;
    }

    public IEnumerable<Leaf> Leaves => Params.SelectMany(p => p.Leaves);
}
