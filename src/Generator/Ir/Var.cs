namespace SymbolicGrad.Generator.Ir;

/// <summary>The role a variable plays in the generated method.</summary>
internal enum VarRole
{
    /// <summary>A parameter of the user's method.</summary>
    Parameter,

    /// <summary>A value named after one of the user's locals.</summary>
    Local,

    /// <summary>A compiler temporary (t0, t1...).</summary>
    Temp,

    /// <summary>A value merged from the branches of an if.</summary>
    Merge,

    /// <summary>An adjoint (xBar) or an adjoint accumulator.</summary>
    Adjoint,

    /// <summary>A partial derivative returned by a call to another generated gradient.</summary>
    Partial,

    /// <summary>The function's value.</summary>
    Value,

    /// <summary>A variable a loop carries from one iteration to the next (mutable).</summary>
    LoopVar,

    /// <summary>Bookkeeping: trip counters, stacks, exit flags, adjoint buffers (mutable, never inlined).</summary>
    Internal,
}

/// <summary>
/// A variable of the IR. Forward values are in SSA form: each is assigned once (merge variables once per
/// branch), which is what lets the reverse sweep read every forward value without storing anything.
/// </summary>
internal sealed class Var
{
    public Var(int id, string name, IrType type, VarRole role)
    {
        Id = id;
        Name = name;
        Type = type;
        Role = role;
    }

    /// <summary>A per-method counter: deterministic, and the order variables were created in.</summary>
    public int Id { get; }

    public string Name { get; set; }

    public IrType Type { get; }

    public VarRole Role { get; set; }

    /// <summary>True when the value depends on a differentiable parameter (activity analysis).</summary>
    public bool Active { get; set; }

    /// <summary>For parameters: true when the user's method differentiates with respect to it.</summary>
    public bool Differentiable { get; set; }

    /// <summary>The user's text this value came from, for comments.</summary>
    public string? Source { get; set; }

    /// <summary>For adjoints: the variable whose adjoint this is (named after it: xBar).</summary>
    public Var? AdjointOf { get; set; }

    /// <summary>An adjoint accumulator: assigned with += in branches, never inlined.</summary>
    public bool IsAccumulator { get; set; }

    /// <summary>Assigned more than once (loop variables, accumulators, counters): never inlined or moved.</summary>
    public bool IsMutable => IsAccumulator || Role is VarRole.LoopVar or VarRole.Internal or VarRole.Merge or VarRole.Value;

    /// <summary>Declared ahead of its first assignment (hoisted out of a branch, or a merge).</summary>
    public bool DeclaredSeparately { get; set; }

    /// <summary>The name given when the code is printed; null until then (or when the variable is not printed).</summary>
    public string? FinalName { get; set; }

    public override string ToString() => FinalName ?? Name;
}

/// <summary>Hands out unique, deterministic names.</summary>
internal sealed class NameAllocator
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _next = new(StringComparer.Ordinal);

    public void Reserve(string name) => _taken.Add(name);

    public bool IsTaken(string name) => _taken.Contains(name);

    /// <summary>Returns <paramref name="stem"/> if free, otherwise stem1, stem2... (or stem_1 when the stem ends in a digit).</summary>
    public string Allocate(string stem)
    {
        if (_taken.Add(stem))
        {
            return stem;
        }

        string sep = char.IsDigit(stem[stem.Length - 1]) ? "_" : string.Empty;
        _next.TryGetValue(stem, out int n);
        while (true)
        {
            n++;
            string candidate = stem + sep + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (_taken.Add(candidate))
            {
                _next[stem] = n;
                return candidate;
            }
        }
    }

    /// <summary>Returns t{k} for the next free k.</summary>
    public string AllocateNumbered(string prefix)
    {
        _next.TryGetValue("#" + prefix, out int n);
        while (true)
        {
            string candidate = prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            n++;
            if (_taken.Add(candidate))
            {
                _next["#" + prefix] = n;
                return candidate;
            }
        }
    }
}
