using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// The front end: lowers a method body (Roslyn's IOperation tree, which says what every node really is) into the
/// structured SSA IR. It is an allow-list: every construct it does not understand completely is reported at its node,
/// once. Desugaring happens here, on the way down: helpers, local functions and lambdas are inlined; structs, tuples
/// and nullables become one variable per field; LINQ becomes loops; switch and patterns become conditions;
/// return, break and continue become flags, so the IR's control flow is only if/else and loops.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>Statements and expressions nested deeper than this are refused (SG0019), never a stack overflow.</summary>
    public const int MaxDepth = 200;

    /// <summary>The most instructions a method may lower to, helpers inlined (SG0019 beyond).</summary>
    public const int MaxInstructions = 400_000;

    /// <summary>The deepest chain of inlined calls.</summary>
    public const int MaxInlineDepth = 48;

    private readonly Compilation _compilation;
    private readonly IMethodSymbol _entry;
    private readonly CancellationToken _ct;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly IrMethod _ir;
    private readonly List<Frame> _frames = new();
    private readonly List<IMethodSymbol> _inlining = new();
    private readonly Dictionary<SyntaxTree, SemanticModel> _models = new();
    private readonly Dictionary<Var, Instr> _defs = new();

    /// <summary>The last assignment that re-pointed a ref local or gave a delegate local a lambda: where a loop that does so is refused.</summary>
    private readonly Dictionary<ILocalSymbol, IOperation> _rebinds = new(SymbolEqualityComparer.Default);
    private Block _block;
    private Env _env = new();
    private int _depth;
    private bool _tooDeep;
    private bool _pointerReported;

    /// <summary>The next loop EmitLoop makes is this TensorPrimitives sum (<see cref="Loop.SumKernel"/>).</summary>
    private string? _nextSumKernel;
    private int _instructions;
    private IOperation? _statement;
    private readonly Dictionary<SyntaxNode, DiagnosticInfo> _sites = new();
    private bool _tooLarge;

    private Lowerer(Compilation compilation, IMethodSymbol entry, IrMethod ir, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        _compilation = compilation;
        _entry = entry;
        _ir = ir;
        _block = ir.Body;
        _diagnostics = diagnostics;
        _ct = ct;
    }

    /// <summary>Checks to make once activity is known: calls and conversions that are fine only on data.</summary>
    public List<DeferredCheck> Checks { get; } = new();

    /// <summary>
    /// Placeholders replaced after the code that read them was lowered (a loop variable the body leaves unchanged becomes
    /// its value before the loop): the operands of <see cref="Checks"/> are read through this map.
    /// </summary>
    public Dictionary<Var, Operand> Replaced { get; } = new();

    /// <summary>What an operand recorded during lowering stands for in the final IR.</summary>
    /// <summary>Was this value (after loop variables the body left unchanged are replaced) an object whose creation is checked?</summary>
    public bool CheckedAtCreation(Operand o) => _checkedAtCreation.Contains(Final(o));

    public Operand Final(Operand o)
    {
        for (int hops = 0; hops < 10_000 && o is Var v && Replaced.TryGetValue(v, out var r); hops++)
        {
            o = r;
        }

        return o;
    }

    /// <summary>Array writes to check against the arrays' origins (parameters may not be written).</summary>
    public List<(Store Store, Location Location, string Text)> Writes { get; } = new();

    private IrMethod Ir => _ir;

    private Frame Function
    {
        get
        {
            for (int i = _frames.Count - 1; i >= 0; i--)
            {
                if (_frames[i].Kind == FrameKind.Function)
                {
                    return _frames[i];
                }
            }

            throw new InvalidOperationException("no function frame");
        }
    }

    private SemanticModel Model => Function.Model!;

    private string EntryName => _entry.Name;

    // ---------------------------------------------------------------------------------------------------------
    // Entry point

    /// <summary>
    /// Lowers the body of <paramref name="method"/> into <paramref name="ir"/>, whose parameters' leaves are already
    /// created by discovery (<paramref name="bindings"/>: each parameter symbol and its value).
    /// </summary>
    public static Lowerer? Lower(
        SemanticModel model,
        IMethodSymbol method,
        IOperation body,
        IrMethod ir,
        IReadOnlyList<(ISymbol Symbol, FValue Value)> bindings,
        FValue thisValue,
        Func<IFieldSymbol, FValue?>? trainable,
        List<DiagnosticInfo> diagnostics,
        CancellationToken ct,
        List<SyntaxNode>? dependencies = null,
        IReadOnlyList<Operand>? trainableOperands = null)
    {
        var lowerer = new Lowerer(model.Compilation, method, ir, diagnostics, ct);
        lowerer._trainableOperands = trainableOperands ?? Array.Empty<Operand>();
        lowerer._modelThis = lowerer._trainableOperands.Count > 0 && thisValue is Scalar { Operand: var thisOperand } ? thisOperand : null;
        lowerer._dependencies = dependencies;
        lowerer._models[model.SyntaxTree] = model;
        lowerer._trainable = trainable;
        foreach (var (symbol, value) in bindings)
        {
            lowerer.Bind(symbol, value);
        }

        var frame = lowerer.NewFunctionFrame(method, model, thisValue, null);
        lowerer._frames.Add(frame);
        lowerer.NoteDataParameters();
        var returnType = method.ReturnsVoid ? null : method.ReturnType;
        frame.ReturnType = returnType;
        var statements = BodyStatements(body);
        lowerer.InitReturn(frame, statements);
        var flow = lowerer.LowerList(statements, 0);
        ir.Body.Stmts.InsertRange(0, lowerer._modelFieldGuards);
        if (returnType is not null)
        {
            var result = lowerer._env.Get(frame.Ret!);
            if (result is Scalar s)
            {
                ir.Result = s.Operand;
            }
            else if (!lowerer.HasErrors)
            {
                if (flow == Flow.Throw)
                {
                    // Every path throws: the value is never produced.
                    ir.Result = new Const(0, TypeMap.Scalar(returnType, _ => null) ?? IrType.Double);
                }
                else
                {
                    lowerer.Report(DiagnosticDescriptors.InternalError, method.Locations.FirstOrDefault(), method.Name, "no value is returned on some path");
                }
            }
        }

        return lowerer;
    }

    public bool HasErrors => _diagnostics.Count > 0;

    private static IReadOnlyList<IOperation> BodyStatements(IOperation? body)
    {
        switch (body)
        {
            case null:
                return Array.Empty<IOperation>();
            case IMethodBodyOperation m:
                return BodyStatements((IOperation?)m.BlockBody ?? m.ExpressionBody);
            case ILocalFunctionOperation lf:
                return BodyStatements((IOperation?)lf.Body ?? lf.IgnoredBody);
            case IAnonymousFunctionOperation af:
                return BodyStatements(af.Body);
            case IBlockOperation b:
                return b.Operations;
            default:
                return new[] { body };
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Environment: the current value of every variable

    /// <summary>The current value of every local, parameter and synthetic key (flags, return values).</summary>
    internal sealed class Env
    {
        private readonly Dictionary<object, FValue> _values;

        public Env()
            : this(new Dictionary<object, FValue>(KeyComparer.Instance))
        {
        }

        private Env(Dictionary<object, FValue> values) => _values = values;

        /// <summary>True after a throw: whatever follows does not run, and a merge takes the other branch's values.</summary>
        public bool Dead { get; set; }

        public IEnumerable<object> Keys => _values.Keys;

        public int Count => _values.Count;

        public Env Copy() => new(new Dictionary<object, FValue>(_values, KeyComparer.Instance)) { Dead = Dead };

        public FValue? Get(object key) => _values.TryGetValue(key, out var v) ? v : null;

        public void Set(object key, FValue value) => _values[key] = value;

        public void Remove(object key) => _values.Remove(key);

        public bool Has(object key) => _values.ContainsKey(key);
    }

    private sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y) =>
            x is ISymbol a && y is ISymbol b ? SymbolEqualityComparer.Default.Equals(a, b) : ReferenceEquals(x, y);

        public int GetHashCode(object obj) =>
            obj is ISymbol s ? SymbolEqualityComparer.Default.GetHashCode(s) : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }

    /// <summary>A synthetic variable of the environment (a flag, a return value, an accumulator).</summary>
    internal sealed class SyntheticKey
    {
        public SyntheticKey(string name) => Name = name;

        public string Name { get; }

        public override string ToString() => Name;
    }

    /// <summary>
    /// Sets a variable in the current environment. A method, not _env.Set: its arguments are evaluated first, and
    /// lowering them may replace the environment (an if inside a ternary), which _env.Set(key, Lower(...)) would miss.
    /// </summary>
    private void Bind(object key, FValue value) => _env.Set(key, value);

    private static string KeyName(object key) => key switch
    {
        ISymbol s => s.Name.Length == 0 ? "t" : s.Name,
        SyntheticKey k => k.Name,
        _ => "t",
    };

    // ---------------------------------------------------------------------------------------------------------
    // Frames: the function being lowered (the method or an inlined callee), and the loops and switches inside it

    internal enum FrameKind
    {
        Function,
        Loop,
        Switch,
    }

    internal sealed class Frame
    {
        public Frame(FrameKind kind) => Kind = kind;

        public FrameKind Kind { get; }

        /// <summary>Set when the rest of the current body must be skipped (break, continue, return inside it).</summary>
        public SyntheticKey? Skip { get; set; }

        /// <summary>Loops: set when the loop must end after this iteration.</summary>
        public SyntheticKey? Break { get; set; }

        public ILabelSymbol? ExitLabel { get; set; }

        public ILabelSymbol? ContinueLabel { get; set; }

        // Functions.
        public SyntheticKey? Ret { get; set; }

        public SyntheticKey? Exit { get; set; }

        public ITypeSymbol? ReturnType { get; set; }

        public IMethodSymbol? Method { get; set; }

        public FValue? This { get; set; }

        public SemanticModel? Model { get; set; }

        public Dictionary<ITypeParameterSymbol, ITypeSymbol>? TypeArguments { get; set; }

        /// <summary>The name used in comments for code from this function.</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>For an inlined helper: the operation that called it (an invocation, a property read...).</summary>
        public IOperation? CallSite { get; set; }
    }

    private Frame NewFunctionFrame(IMethodSymbol method, SemanticModel model, FValue? thisValue, Dictionary<ITypeParameterSymbol, ITypeSymbol>? typeArguments) =>
        new(FrameKind.Function)
        {
            Method = method,
            Model = model,
            This = thisValue,
            TypeArguments = typeArguments,
            Ret = new SyntheticKey("result"),
            Name = method.Name,
        };

    /// <summary>Sets up the return value and, when some return is not the last statement, the flag that says the function returned.</summary>
    private void InitReturn(Frame frame, IReadOnlyList<IOperation> statements)
    {
        bool early = false;
        for (int i = 0; i < statements.Count && !early; i++)
        {
            bool last = i == statements.Count - 1;
            foreach (var d in DescendantsInBody(statements[i]))
            {
                if (d is IReturnOperation && !(last && ReferenceEquals(d, statements[i])))
                {
                    early = true;
                    break;
                }
            }
        }

        if (early)
        {
            frame.Exit = new SyntheticKey("returned");
            Bind(frame.Exit, new Scalar(Lit.False));

            // The result exists from the start, so that loops carry it out when a return inside them sets it.
            if (frame.ReturnType is not null && statements.Count > 0)
            {
                Bind(frame.Ret!, ZeroOf(frame.ReturnType, statements[0]));
            }
        }
    }

    /// <summary>The operations inside <paramref name="op"/> that belong to the same function (not lambdas or local functions declared in it).</summary>
    private static IEnumerable<IOperation> DescendantsInBody(IOperation op)
    {
        var stack = new Stack<IOperation>();
        stack.Push(op);
        while (stack.Count > 0)
        {
            var o = stack.Pop();
            yield return o;
            foreach (var c in o.ChildOperations)
            {
                if (c is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }

                stack.Push(c);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Types

    private ITypeSymbol? Substitute(ITypeParameterSymbol tp)
    {
        for (int i = _frames.Count - 1; i >= 0; i--)
        {
            if (_frames[i].TypeArguments is { } map && map.TryGetValue(tp, out var t))
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>
    /// A type with the type arguments of the inlined callees substituted: T itself, and T inside a constructed type
    /// (Pair&lt;T&gt; inside Pair&lt;double&gt;'s constructor is Pair&lt;double&gt;; T[] is double[]).
    /// </summary>
    private ITypeSymbol Concrete(ITypeSymbol t) => Concrete(t, 0);

    private ITypeSymbol Concrete(ITypeSymbol t, int depth)
    {
        if (depth > 16)
        {
            return t;
        }

        switch (t)
        {
            case ITypeParameterSymbol tp when Substitute(tp) is { } s && !SymbolEqualityComparer.Default.Equals(s, tp):
                return Concrete(s, depth + 1);
            case IArrayTypeSymbol array when Concrete(array.ElementType, depth + 1) is var element && !SymbolEqualityComparer.Default.Equals(element, array.ElementType):
                return _compilation.CreateArrayTypeSymbol(element, array.Rank);
            case INamedTypeSymbol { IsTupleType: true } tuple:
                var elements = tuple.TupleElements;
                var types = elements.Select(e => Concrete(e.Type, depth + 1)).ToArray();
                if (types.Where((e, i) => !SymbolEqualityComparer.Default.Equals(e, elements[i].Type)).Any())
                {
                    return _compilation.CreateTupleTypeSymbol(
                        System.Collections.Immutable.ImmutableArray.Create(types),
                        System.Collections.Immutable.ImmutableArray.CreateRange(elements.Select(e => e.IsExplicitlyNamedTupleElement ? e.Name : null)));
                }

                return t;
            case INamedTypeSymbol { IsGenericType: true, IsTupleType: false } named when !named.IsUnboundGenericType && (named.ContainingType is null || !named.ContainingType.IsGenericType):
                var args = named.TypeArguments;
                ITypeSymbol[]? changed = null;
                for (int i = 0; i < args.Length; i++)
                {
                    var a = Concrete(args[i], depth + 1);
                    if (!SymbolEqualityComparer.Default.Equals(a, args[i]))
                    {
                        changed ??= args.ToArray();
                        changed[i] = a;
                    }
                }

                return changed is null ? t : named.OriginalDefinition.Construct(changed);
        }

        return t;
    }

    private IrType? IrTypeOf(ITypeSymbol t) => TypeMap.Scalar(t, Substitute);

    private IrType IrTypeOrData(ITypeSymbol? t) => t is null ? IrType.Object : IrTypeOf(t) ?? IrType.Data(Concrete(t).ToDisplayString(TypeMap.Qualified));

    // ---------------------------------------------------------------------------------------------------------
    // Emitting instructions

    /// <summary>Appends Dst = op(args) to the current block and returns Dst; folds constants exactly; poison in, poison out.</summary>
    private Operand Emit(Opcode op, IrType type, Operand[] args, object? data = null, string? source = null, string hint = "t")
    {
        foreach (var a in args)
        {
            if (a is Poison)
            {
                return Poison.Of(type);
            }
        }

        var folded = Fold(op, type, args, data);
        if (folded is not null)
        {
            return folded;
        }

        // The length of an array the method made, or of a view of one, is known without the array.
        if (op == Opcode.Length && args[0] is Var arr && _defs.TryGetValue(arr, out var def))
        {
            switch (def.Op)
            {
                case Opcode.Alloc when def.Args.Length == 1:
                    return def.Args[0];
                case Opcode.Slice:
                    return def.Args[2];
                case Opcode.Copy when def.Args[0].Type.IsVector:
                    return Emit(Opcode.Length, type, new[] { def.Args[0] }, data, source, hint);
            }
        }

        if (++_instructions > MaxInstructions && !_tooLarge)
        {
            _tooLarge = true;
            Report(DiagnosticDescriptors.TooComplex, _entry.Locations.FirstOrDefault(), EntryName,
                "with its helpers inlined it lowers to more than " + MaxInstructions.ToString(CultureInfo.InvariantCulture) + " operations");
        }

        var dst = Ir.NewVar(hint, type, hint == "t" ? VarRole.Temp : VarRole.Local);
        dst.At = Site();
        var instr = new Instr(op, type, args, data, source);
        _block.Add(new Assign(dst, instr));
        _defs[dst] = instr;
        return dst;
    }

    /// <summary>Constant folding that changes no bit of any result.</summary>
    private static Operand? Fold(Opcode op, IrType type, Operand[] args, object? data)
    {
        if (op == Opcode.Copy && args.Length == 1 && args[0].Type.Equals(type))
        {
            return args[0];
        }

        if (type.IsReal && !type.IsGeneric)
        {
            bool single = type.IsSingle;
            double R(double v) => single ? (float)v : v;
            if (args.Length == 2 && args[0] is Const a && args[1] is Const b && a.Type.Equals(type) && b.Type.Equals(type))
            {
                double? r = op switch
                {
                    Opcode.Add => single ? (float)a.Value + (float)b.Value : a.Value + b.Value,
                    Opcode.Sub => single ? (float)a.Value - (float)b.Value : a.Value - b.Value,
                    Opcode.Mul => single ? (float)a.Value * (float)b.Value : a.Value * b.Value,
                    Opcode.Div => single ? (float)a.Value / (float)b.Value : a.Value / b.Value,
                    _ => null,
                };
                if (r is { } value)
                {
                    return new Const(R(value), type);
                }
            }

            if (args.Length == 1 && args[0] is Const c)
            {
                if (op == Opcode.Neg && c.Type.Equals(type))
                {
                    return new Const(-c.Value, type);
                }

                if (op == Opcode.Convert && !c.Type.IsGeneric)
                {
                    return new Const(R(c.Value), type);
                }
            }

            if (op == Opcode.Mul && args.Length == 2)
            {
                // x·1 and 1·x are x, bit for bit (NaN, ±0 and ±∞ included).
                if (args[1] is Const one && one.Is(1) && args[0].Type.Equals(type))
                {
                    return args[0];
                }

                if (args[0] is Const one2 && one2.Is(1) && args[1].Type.Equals(type))
                {
                    return args[1];
                }
            }

            if (op == Opcode.Cast && args.Length == 1 && args[0] is Lit l && l.TryInt(out long n))
            {
                return new Const(R(n), type);
            }
        }

        // A comparison of two int literals (the order of a copy between views of one array at fixed offsets).
        if (op == Opcode.Cmp && data is CmpKind kind && args.Length == 2 && args[0] is Lit left && args[1] is Lit right
            && left.Type.CSharp == "int" && right.Type.CSharp == "int" && left.TryInt(out long leftValue) && right.TryInt(out long rightValue))
        {
            return Lit.Bool(kind switch
            {
                CmpKind.Eq => leftValue == rightValue,
                CmpKind.Ne => leftValue != rightValue,
                CmpKind.Lt => leftValue < rightValue,
                CmpKind.Le => leftValue <= rightValue,
                CmpKind.Gt => leftValue > rightValue,
                _ => leftValue >= rightValue,
            });
        }

        if (op == Opcode.Select && args[0] is Lit cond && (cond == Lit.True || cond == Lit.False))
        {
            return cond == Lit.True ? args[1] : args[2];
        }

        if (type.IsBool)
        {
            switch (op)
            {
                case Opcode.Not when args[0] == Lit.True:
                    return Lit.False;
                case Opcode.Not when args[0] == Lit.False:
                    return Lit.True;
                case Opcode.And when args[0] == Lit.False || args[1] == Lit.False:
                    return Lit.False;
                case Opcode.And when args[0] == Lit.True:
                    return args[1];
                case Opcode.And when args[1] == Lit.True:
                    return args[0];
                case Opcode.Or when args[0] == Lit.True || args[1] == Lit.True:
                    return Lit.True;
                case Opcode.Or when args[0] == Lit.False:
                    return args[1];
                case Opcode.Or when args[1] == Lit.False:
                    return args[0];
            }
        }

        if (type.IsInt && type.CSharp == "int" && data is not true && args.Length == 2 && args[0] is Lit x && args[1] is Lit y && x.TryInt(out long xi) && y.TryInt(out long yi)
            && x.Type.CSharp == "int" && y.Type.CSharp == "int")
        {
            long? r = op switch
            {
                Opcode.IAdd => unchecked((int)xi + (int)yi),
                Opcode.ISub => unchecked((int)xi - (int)yi),
                Opcode.IMul => unchecked((int)xi * (int)yi),
                _ => null,
            };
            if (r is { } v)
            {
                return Lit.Int(v);
            }
        }

        return null;
    }

    private Operand Real(double value, IrType type) => new Const(value, type);

    /// <summary>Converts an operand to a real type (int → real is a constant, real → real a differentiable conversion).</summary>
    private Operand ToReal(Operand o, IrType type, string? source = null)
    {
        if (o.Type.Equals(type) || o is Poison)
        {
            return o;
        }

        if (o is Const c && !type.IsGeneric && !c.Type.IsGeneric)
        {
            return new Const(c.Value, type);
        }

        if (o.Type.IsReal)
        {
            return Emit(Opcode.Convert, type, new[] { o }, source: source);
        }

        if (o.Type.IsInt)
        {
            return Emit(Opcode.Cast, type, new[] { o }, source: source);
        }

        return Poison.Of(type);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Blocks

    /// <summary>Runs <paramref name="lower"/> with statements going to <paramref name="block"/>.</summary>
    private void InBlock(Block block, Action lower)
    {
        var saved = _block;
        _block = block;
        _nesting++;
        try
        {
            lower();
        }
        finally
        {
            _block = saved;
            _nesting--;
        }
    }

    /// <summary>
    /// Emits an if/else: each branch lowered from a copy of the environment, then a φ for every variable whose
    /// value differs between them. Returns the flows of the two branches.
    /// </summary>
    private (Flow Then, Flow Else) EmitIf(Operand cond, Func<Flow> lowerThen, Func<Flow> lowerElse)
    {
        if (cond == Lit.True || cond == Lit.False)
        {
            var f = cond == Lit.True ? lowerThen() : lowerElse();
            return cond == Lit.True ? (f, Flow.Normal) : (Flow.Normal, f);
        }

        var before = _env;
        var thenBlock = new Block();
        var elseBlock = new Block();
        _env = before.Copy();
        Flow thenFlow = Flow.Normal;
        InBlock(thenBlock, () => thenFlow = lowerThen());
        var thenEnv = _env;
        _env = before.Copy();
        Flow elseFlow = Flow.Normal;
        InBlock(elseBlock, () => elseFlow = lowerElse());
        var elseEnv = _env;

        var phis = new List<Phi>();
        _env = Merge(thenEnv, elseEnv, phis);
        _block.Add(new If(cond, thenBlock, elseBlock, phis));
        return (thenFlow, elseFlow);
    }

    /// <summary>The environment after an if: φs for every value that differs.</summary>
    /// <summary>Poison a merge made of a query on one path and another value on the other, with the variable's name: reported where it is read.</summary>
    private readonly Dictionary<Poison, string> _unfollowedSequences = new();

    private Env Merge(Env a, Env b, List<Phi> phis)
    {
        // A branch that throws never reaches the merge: its values still get φs (never assigned, since nothing after
        // a throw runs), so that every value read after the if is defined at this level.
        var merged = new Env { Dead = a.Dead && b.Dead };
        foreach (var key in a.Keys)
        {
            var va = a.Get(key)!;
            var vb = b.Get(key);
            if (vb is null)
            {
                // Assigned on one path only: C# reads it only where it was assigned, but the guards that desugaring adds
                // after early exits may put that read after this if; the other path gets a default value.
                vb = DefaultLike(va);
                if (vb is null)
                {
                    continue;
                }
            }

            var m = MergeValue(key, va, vb, phis);
            if (m is not null)
            {
                merged.Set(key, m);
            }
        }

        foreach (var key in b.Keys)
        {
            if (!a.Has(key) && b.Get(key) is { } vb && DefaultLike(vb) is { } da)
            {
                var m = MergeValue(key, da, vb, phis);
                if (m is not null)
                {
                    merged.Set(key, m);
                }
            }
        }

        return merged;
    }

    /// <summary>A value of the same shape with every scalar at its type's default; null for functions and refs.</summary>
    private static FValue? DefaultLike(FValue v) => v switch
    {
        Scalar s when s.Operand is not Poison => new Scalar(DefaultOf(s.Operand.Type)),
        StructValue sv => sv.Values.Select(DefaultLike).Any(x => x is null) ? null : new StructValue(sv.Type, sv.Fields, sv.Values.Select(x => DefaultLike(x)!).ToArray()),
        TupleValue tv => tv.Items.Select(DefaultLike).Any(x => x is null) ? null : new TupleValue(tv.Items.Select(x => DefaultLike(x)!).ToArray()),
        NullableValue nv => DefaultLike(nv.Value) is { } inner ? new NullableValue(Lit.False, inner) : null,
        _ => null,
    };

    private FValue? MergeValue(object key, FValue a, FValue b, List<Phi> phis)
    {
        if (ReferenceEquals(a, b))
        {
            return a;
        }

        switch (a)
        {
            case Scalar sa when b is Scalar sb:
                if (ReferenceEquals(sa.Operand, sb.Operand) || SameConstant(sa.Operand, sb.Operand))
                {
                    return a;
                }

                if (sa.Operand is Poison || sb.Operand is Poison)
                {
                    var merged = Poison.Of(sa.Operand.Type);
                    if ((sa.Operand is Poison pa && _unfollowedSequences.TryGetValue(pa, out var name)) || (sb.Operand is Poison pb && _unfollowedSequences.TryGetValue(pb, out name)))
                    {
                        _unfollowedSequences[merged] = name;
                    }

                    return new Scalar(merged);
                }

                var type = MergeType(sa.Operand.Type, sb.Operand.Type);
                if (type is null)
                {
                    return null;
                }

                var dst = Ir.NewVar(KeyName(key), type, key is ISymbol ? VarRole.Local : VarRole.Internal);
                dst.At = Site();
                phis.Add(new Phi(dst, sa.Operand, sb.Operand));
                if (MayBeThis(sa.Operand) || MayBeThis(sb.Operand))
                {
                    _mayBeThis.Add(dst);
                }

                return new Scalar(dst);
            case StructValue sa when b is StructValue sb && sa.Values.Length == sb.Values.Length:
                var values = new FValue[sa.Values.Length];
                bool same = true;
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = MergeValue(key, sa.Values[i], sb.Values[i], phis) ?? new Scalar(Poison.Of(IrType.Double));
                    same &= ReferenceEquals(values[i], sa.Values[i]);
                }

                return same ? sa : new StructValue(sa.Type, sa.Fields, values);
            case TupleValue ta when b is TupleValue tb && ta.Items.Length == tb.Items.Length:
                var items = new FValue[ta.Items.Length];
                bool sameItems = true;
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = MergeValue(key, ta.Items[i], tb.Items[i], phis) ?? new Scalar(Poison.Of(IrType.Double));
                    sameItems &= ReferenceEquals(items[i], ta.Items[i]);
                }

                return sameItems ? ta : new TupleValue(items);
            case TupleArrayValue ta when b is TupleArrayValue tb:
                return MergeValue(key, ta.Components, tb.Components, phis) is { } mergedComponents and (TupleValue or StructValue)
                    ? (ReferenceEquals(mergedComponents, ta.Components) ? ta : new TupleArrayValue(mergedComponents))
                    : new Scalar(Poison.Of(IrType.Object));
            case NullableValue na when b is NullableValue nb:
                var has = MergeValue(key, new Scalar(na.HasValue), new Scalar(nb.HasValue), phis) as Scalar;
                var value = MergeValue(key, na.Value, nb.Value, phis);
                return has is null || value is null ? null : new NullableValue(has.Operand, value);
            case FunctionValue fa when b is FunctionValue fb && SameFunction(fa, fb):
                return a;
            case RefValue ra when b is RefValue rb && SameRef(ra, rb):
                return a;
            default:
                // A delegate or a ref that is bound differently on the two paths: calling the delegate afterwards is
                // refused (SG0014). A ref local re-pointed on one path (if (c) r = ref b;) would be written and read as
                // a plain value afterwards, never reaching either place: refused here, at the re-pointing.
                if ((a is RefValue || b is RefValue) && key is ILocalSymbol local && _rebinds.TryGetValue(local, out var repointed))
                {
                    NotYet(repointed, "A ref local re-pointed on some paths only ('" + local.Name + "', which the code after the branch may use)", "use an if/else that assigns each place (if (c) b *= k; else a *= k;)");
                }
                else if ((a is SequenceValue || b is SequenceValue || a is ListValue || b is ListValue) && key is ILocalSymbol sequence)
                {
                    // A lazy query (or a list) that a branch gives the variable, beside another kind of value on the other
                    // path: refused where the code after the branch reads it (an internal error before, at printing).
                    var unfollowed = Poison.Of(IrType.Object);
                    _unfollowedSequences[unfollowed] = sequence.Name;
                    return new Scalar(unfollowed);
                }

                return new Scalar(Poison.Of(IrType.Object));
        }
    }

    /// <summary>Is this operand the [Differentiable] method's own instance, on some path at least?</summary>
    private bool MayBeThis(Operand o) => o is Lit { Text: "this" } || _mayBeThis.Contains(o);

    private static bool SameConstant(Operand a, Operand b) =>
        (a is Const ca && b is Const cb && ca.Type.Equals(cb.Type) && BitConverter.DoubleToInt64Bits(ca.Value) == BitConverter.DoubleToInt64Bits(cb.Value))
        || (a is Lit la && b is Lit lb && la.Text == lb.Text && la.Type.Equals(lb.Type));

    private static bool SameFunction(FunctionValue a, FunctionValue b) =>
        ReferenceEquals(a.Lambda, b.Lambda) && SymbolEqualityComparer.Default.Equals(a.Method, b.Method) && ReferenceEquals(a.Receiver, b.Receiver);

    private static bool SameRef(RefValue a, RefValue b) =>
        KeyComparer.Instance.Equals(a.Key, b.Key) && ReferenceEquals(a.Array, b.Array) && a.Field == b.Field
        && ReferenceEquals(a.Components, b.Components) && ReferenceEquals(a.ComponentIndex, b.ComponentIndex)
        && (a.Parent is null ? b.Parent is null : b.Parent is not null && SameRef(a.Parent, b.Parent))
        && (a.Index is null ? b.Index is null : b.Index is not null && a.Index.SequenceEqual(b.Index));

    /// <summary>The type of a φ: the same type, or for arrays a span both sides convert to.</summary>
    private static IrType? MergeType(IrType a, IrType b)
    {
        if (a.Equals(b))
        {
            return a;
        }

        if (a.IsArray && b.IsArray && a.Element!.Equals(b.Element) && a.Rank == 1 && b.Rank == 1)
        {
            return IrType.ArrayOf(a.Element, a.Form == ArrayForm.ReadOnlySpan || b.Form == ArrayForm.ReadOnlySpan ? ArrayForm.ReadOnlySpan : ArrayForm.Span);
        }

        if (a.IsReal && b.IsReal)
        {
            return null;
        }

        if (a.Kind == ValueKind.Data && b.Kind == ValueKind.Data && (a.CSharp + "?" == b.CSharp || b.CSharp + "?" == a.CSharp))
        {
            // C? and C of a class (other ?? this with a [NoDerivative] C? other): one type, the annotation aside. (A
            // nullable struct is converted where C# converts it, so both sides already have its type.) The two sides
            // were not merged, and the value read after the branch was an operand the printer cannot print (SG9999;
            // red-team, stop 32).
            return a.CSharp.EndsWith("?", StringComparison.Ordinal) ? a : b;
        }

        return a.Kind == b.Kind && a.Kind is ValueKind.Int or ValueKind.Bool or ValueKind.Data && a.CSharp == b.CSharp ? a : null;
    }

    private static Operand DefaultOf(IrType type) => type.Kind switch
    {
        ValueKind.Real => new Const(0, type),
        ValueKind.Bool => Lit.False,
        ValueKind.Int => new Lit("0", type),
        _ => new Lit("default", type),
    };

    // ---------------------------------------------------------------------------------------------------------
    // Diagnostics

    private void Report(DiagnosticDescriptor descriptor, Location? location, params string[] args)
    {
        // One construct, one error: the same location is reported once.
        var info = DiagnosticInfo.Create(descriptor, location, args);
        foreach (var d in _diagnostics)
        {
            if (d.Span == info.Span && d.FilePath == info.FilePath)
            {
                return;
            }
        }

        _diagnostics.Add(info);
    }

    private Location LocationOf(IOperation op) => op.Syntax.GetLocation();

    /// <summary>The user's text for a node, on one line and at most 80 characters, for comments and messages.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxNode, System.Runtime.CompilerServices.StrongBox<int>> SpanStarts = new();

    /// <summary>
    /// <c>node.SpanStart</c>, in time independent of the depth of a left-deep chain: a binary operation, an assignment,
    /// a member access, a call or an element access starts where its left operand starts (in code that parsed without
    /// errors, which is all the generator reads), and the starts found on the way down are kept for the links above.
    /// </summary>
    private static int SpanStart(SyntaxNode node)
    {
        List<SyntaxNode>? path = null;
        var current = node;
        int start;
        while (true)
        {
            if (SpanStarts.TryGetValue(current, out var known))
            {
                start = known.Value;
                break;
            }

            SyntaxNode? left = current switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.BinaryExpressionSyntax b => b.Left,
                Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax a => a.Left,
                Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax m => m.Expression,
                Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax i => i.Expression,
                Microsoft.CodeAnalysis.CSharp.Syntax.ElementAccessExpressionSyntax e => e.Expression,
                _ => null,
            };
            if (left is null || left.IsMissing)
            {
                start = current.SpanStart;
                break;
            }

            (path ??= new List<SyntaxNode>()).Add(current);
            current = left;
        }

        if (path is not null)
        {
            foreach (var p in path)
            {
                SpanStarts.GetValue(p, _ => new System.Runtime.CompilerServices.StrongBox<int>(start));
            }
        }

        return start;
    }

    public static string SourceText(SyntaxNode node)
    {
        // Only the start of the node is ever shown: read at most 400 characters of the file, never the whole node
        // (its text is as long as the expression, and every sub-expression asks: quadratic in the expression's size).
        // Span.Start finds the first token down the leftmost spine: for every link of a left-deep chain (a sum of
        // 10,000 terms) that is a walk as long as the chain. SpanStart below walks each spine once.
        string text;
        if (node.SyntaxTree is { } tree)
        {
            int start = SpanStart(node);
            int end = node.GetLastToken().Span.End; // down the rightmost spine, which a left-deep chain keeps short
            text = tree.GetText().ToString(new Microsoft.CodeAnalysis.Text.TextSpan(start, Math.Min(end - start, 400)));
        }
        else
        {
            text = node.ToString();
        }

        var sb = new System.Text.StringBuilder(Math.Min(text.Length, 90));
        bool space = false;
        foreach (char ch in text)
        {
            if (char.IsWhiteSpace(ch))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(ch);
            if (sb.Length > 80)
            {
                break;
            }
        }

        var s = sb.ToString();
        return s.Length <= 80 ? s : s.Substring(0, 77) + "...";
    }

    private FValue Unsupported(IOperation op, string what, string advice)
    {
        Report(DiagnosticDescriptors.UnsupportedExpression, LocationOf(op), SourceText(op.Syntax), what, advice);
        return new Scalar(Poison.Of(op.Type is null ? IrType.Object : IrTypeOrData(op.Type)));
    }

    private FValue NotYet(IOperation op, string what, string advice)
    {
        Report(DiagnosticDescriptors.NotSupportedYet, LocationOf(op), what, advice);
        return new Scalar(Poison.Of(op.Type is null ? IrType.Object : IrTypeOrData(op.Type)));
    }

    /// <summary>Guards recursion: past <see cref="MaxDepth"/> levels (or when the thread's stack runs low) the node is refused.</summary>
    private bool Enter(IOperation op)
    {
        _ct.ThrowIfCancellationRequested();
        if (++_depth > MaxDepth || !StackOk())
        {
            _depth--;
            if (!_tooDeep)
            {
                // One error for the method: every enclosing level would otherwise fail again on its way out.
                _tooDeep = true;
                Report(DiagnosticDescriptors.TooComplex, LocationOf(op), EntryName,
                    "this expression or statement is nested more than " + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels deep");
            }

            return false;
        }

        return true;
    }

    private void Leave() => _depth--;

    /// <summary>
    /// Where the statement being lowered is (its header for an if, a loop or a switch; the call site of an
    /// expression-bodied helper), made once per statement: later passes point their refusals of a value here.
    /// </summary>
    private DiagnosticInfo? Site()
    {
        if (_statement?.Syntax is not { } syntax)
        {
            return null;
        }

        if (!_sites.TryGetValue(syntax, out var site))
        {
            var span = syntax switch
            {
                Microsoft.CodeAnalysis.CSharp.Syntax.IfStatementSyntax f => Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(f.IfKeyword.SpanStart, f.CloseParenToken.Span.End),
                Microsoft.CodeAnalysis.CSharp.Syntax.SwitchStatementSyntax w => Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(w.SwitchKeyword.SpanStart, Math.Max(w.SwitchKeyword.Span.End, w.CloseParenToken.IsMissing || w.CloseParenToken.Span.End == 0 ? w.Expression.Span.End : w.CloseParenToken.Span.End)),
                Microsoft.CodeAnalysis.CSharp.Syntax.ForStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.WhileStatementSyntax
                    or Microsoft.CodeAnalysis.CSharp.Syntax.CommonForEachStatementSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.DoStatementSyntax => HeaderOf(syntax).Span,
                _ => syntax.Span,
            };
            var lines = Location.Create(syntax.SyntaxTree, span).GetLineSpan();
            site = new DiagnosticInfo(string.Empty, lines.Path ?? string.Empty, span, lines.Span, EquatableArray<string>.Empty);
            _sites[syntax] = site;
        }

        return site;
    }

    private static bool StackOk()
    {
        try
        {
            System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
            return true;
        }
        catch (InsufficientExecutionStackException)
        {
            return false;
        }
    }
}

/// <summary>How control leaves a list of statements.</summary>
internal enum Flow
{
    /// <summary>Falls through to what follows.</summary>
    Normal,

    /// <summary>May have jumped (return, break, continue): what follows runs only if a flag is not set.</summary>
    May,

    /// <summary>Always jumps: what follows does not run.</summary>
    Must,

    /// <summary>Always throws.</summary>
    Throw,
}

/// <summary>The value of a construct already reported: anything computed from it is dropped without another error.</summary>
internal sealed class Poison : Operand
{
    private Poison(IrType type)
        : base(type)
    {
    }

    public static Poison Of(IrType type) => new(type);
}

/// <summary>What to check once activity is known.</summary>
internal enum CheckKind
{
    /// <summary>A call with no known derivative: its arguments must not depend on the parameters.</summary>
    InactiveCall,

    /// <summary>A conversion that carries no derivative (decimal, object...): its operand must not depend on the parameters.</summary>
    InactiveConversion,

    /// <summary>An argument passed to a [NoDerivative] parameter of a compiled callee.</summary>
    InactiveDataArgument,

    /// <summary>A recursive call, run as written: fine on data only.</summary>
    Recursion,

    /// <summary>A call to a compiled, first-order derivative in a method that asks for second derivatives.</summary>
    SecondOrderCall,
}

internal sealed class DeferredCheck
{
    public DeferredCheck(CheckKind kind, Operand[] operands, Location location, string[] args)
    {
        Kind = kind;
        Operands = operands;
        Location = location;
        Args = args;
    }

    public CheckKind Kind { get; }

    public Operand[] Operands { get; }

    public Location Location { get; }

    public string[] Args { get; }
}
