using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;
using SymbolicGrad.Generator.Models;
using SymbolicGrad.Generator.Rules;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>
/// Calls: Math functions by their rules; helpers, local functions, lambdas and operators by inlining; compiled
/// [Differentiable] methods and custom derivatives through their gradient methods; side effects (Console, Debug,
/// argument guards) kept in the forward sweep; anything else only on data.
/// </summary>
internal sealed partial class Lowerer
{
    public const string CustomDerivativeAttribute = "SymbolicGrad.CustomDerivativeAttribute";

    /// <summary>Set when a helper does not compile: the compiler reports that, and no gradient is generated.</summary>
    public bool SilentFailure { get; private set; }

    /// <summary>The bodies of the helpers inlined, whose compile errors explain a failure as well as the method's own.</summary>
    public List<(SyntaxNode Syntax, SemanticModel Model)> InlinedBodies { get; } = new();

    /// <summary>Does any inlined helper have a compile error (then the compiler reports it, and the generator says nothing)?</summary>
    public bool InlinedBodiesHaveErrors() =>
        InlinedBodies.Any(b => b.Model.GetMethodBodyDiagnostics(b.Syntax.Span, _ct).Any(d => d.Severity == DiagnosticSeverity.Error));

    /// <summary>
    /// Every body read from another declaration (helpers, accessors, constructors, operators), whether or not it could
    /// be lowered: what the method's lowering depends on besides its own text and the declarations (see MethodKey).
    /// </summary>
    private List<SyntaxNode>? _dependencies;

    private static readonly HashSet<string> EffectTypes = new(StringComparer.Ordinal)
    {
        "System.Console",
        "System.Diagnostics.Debug",
        "System.Diagnostics.Trace",
        "System.Diagnostics.Debugger",
    };

    private static readonly HashSet<string> GuardTypes = new(StringComparer.Ordinal)
    {
        "System.ArgumentNullException",
        "System.ArgumentException",
        "System.ArgumentOutOfRangeException",
        "System.ObjectDisposedException",
    };

    private static readonly Dictionary<string, double> GenericConstants = new(StringComparer.Ordinal)
    {
        ["Zero"] = 0,
        ["One"] = 1,
        ["NegativeOne"] = -1,
        ["Pi"] = Math.PI,
        ["E"] = Math.E,
        ["Tau"] = 2 * Math.PI,
        ["NaN"] = double.NaN,
        ["PositiveInfinity"] = double.PositiveInfinity,
        ["NegativeInfinity"] = double.NegativeInfinity,
        ["NegativeZero"] = -0.0,
    };

    /// <summary>Why the delegate invoked here is not one known function: where it came from, as far as the syntax says.</summary>
    private static string DelegateOrigin(IOperation? instance) => instance switch
    {
        IParameterReferenceOperation => "invokes a delegate passed in as a parameter, whose code is not known at build time",
        IFieldReferenceOperation or IPropertyReferenceOperation => "invokes a delegate read from a field or property, whose code is not known at build time",
        ILocalReferenceOperation => "invokes a delegate that is not one known lambda or method here (it holds different ones on different paths, chosen by ?:, a switch or a reassignment, or comes from outside)",
        IConditionalOperation or ISwitchExpressionOperation => "invokes a delegate chosen at run time (by ?: or a switch)",
        _ => "invokes a delegate whose code is not known at build time",
    };

    private FValue LowerInvocation(IInvocationOperation inv, bool discard)
    {
        var method = inv.TargetMethod;
        if (inv.Instance is not null && IsList(method.ContainingType) && LowerListCall(inv) is { } listResult)
        {
            return listResult;
        }

        if (method.Name == "ToList" && ContainingName(method) == "System.Linq.Enumerable" && TryLowerListCreation(inv) is { } created)
        {
            return created;
        }

        if (method.Name == "ToList" && ContainingName(method) == "System.Linq.Enumerable" && ListOfReals(inv.Type) is not null
            && !inv.Syntax.DescendantNodes().Any(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.AnonymousFunctionExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.QueryExpressionSyntax)
            && ListDeclarator(inv) is { } listLocal && _listRefusals.ContainsKey(listLocal))
        {
            // var l = w.ToList(); l.Sort(); ...: a list the method uses in a way the array form does not follow is data,
            // made as written; if what it is made of varies, that is refused where it is made, naming the use (it was
            // SG0006 "ToList is not supported", whose advice was the code as written; red-team, stop 32).
            return OpaqueValue(inv, pure: false);
        }

        if (method.MethodKind == MethodKind.DelegateInvoke)
        {
            var target = inv.Instance is null ? null : ReadOnlyDelegate(inv.Instance) ?? LowerExpr(inv.Instance);
            if (target is FunctionValue fn)
            {
                return InvokeFunction(fn, inv.Arguments.Select(a => LowerExpr(a.Value)).ToArray(), inv);
            }

            if (target is Scalar { Operand: Poison } && _refusedLambdas > 0)
            {
                // A lambda was refused where it was written (a ref or out parameter): its calls say nothing more.
                return new Scalar(Poison.Of(IrTypeOrData(inv.Type)));
            }

            Report(DiagnosticDescriptors.DelegateOperation, LocationOf(inv), SourceText(inv.Syntax), DelegateOrigin(inv.Instance));
            return new Scalar(Poison.Of(IrTypeOrData(inv.Type)));
        }

        // A partial void method without an implementation: the compiler removes the call and the evaluation of its arguments.
        if (method.OriginalDefinition is { IsPartialDefinition: true, PartialImplementationPart: null, ReturnsVoid: true })
        {
            return new Scalar(Lit.False);
        }

        string containing = ContainingName(method);
        if (containing == "System.ValueTuple" && method.Name == "Create" && method.IsStatic && inv.Arguments.Length is > 0 and < 8 && TypeMap.IsTuple(Concrete(method.ReturnType)))
        {
            // ValueTuple.Create(a, b): the tuple (a, b).
            var items = new FValue[inv.Arguments.Length];
            foreach (var argument in inv.Arguments)
            {
                items[argument.Parameter?.Ordinal ?? 0] = LowerExpr(argument.Value);
            }

            return new TupleValue(items);
        }

        if (containing == "System.Linq.Enumerable" && method.Name is "ToList" or "ToHashSet" && IsDataCollection(inv.Type))
        {
            return LowerDataToList(inv);
        }

        if (containing == "System.Linq.Enumerable")
        {
            return LowerLinq(inv);
        }

        if (containing == "System.Numerics.Tensors.TensorPrimitives" && LowerTensorPrimitives(inv) is { } tensor)
        {
            return tensor;
        }

        // array.AsSpan(a..b), AsSpan(^k), AsMemory(a..): the view a[a..b] is (never a copy, as for a span).
        if (containing == "System.MemoryExtensions" && method.Name is "AsSpan" or "AsMemory" && inv.Arguments.Length == 2
            && method.Parameters[method.Parameters.Length - 1].Type is INamedTypeSymbol { Name: "Range" or "Index", ContainingNamespace.Name: "System" } boundType
            && LowerExpr(inv.Arguments[0].Value) is Scalar { Operand: { Type.IsArray: true } viewed })
        {
            var bound = inv.Arguments[1].Value;
            if (boundType.Name == "Range")
            {
                return new Scalar(RangeOf(viewed, bound, inv, copy: false));
            }

            var start = IndexFromEnd(bound, viewed);
            var count = Emit(Opcode.ISub, IrType.Int32, new[] { Emit(Opcode.Length, IrType.Int32, new[] { viewed }), start });
            return new Scalar(Emit(Opcode.Slice, viewed.Type.WithForm(ArrayForm.Span), new[] { viewed, start, count }, source: SourceText(inv.Syntax)));
        }

        if (IsEffect(method, containing))
        {
            if (!discard)
            {
                return Unsupported(inv, "using the result of " + method.Name, "call it as a statement");
            }

            var effect = Opaque(inv, pure: false);
            if (effect is not null)
            {
                _block.Add(new Effect(effect));
            }

            return new Scalar(Lit.False);
        }

        // The receiver: a struct place (its methods may change it), a data object, this, or none.
        FValue? receiver = null;
        if (!method.IsStatic && method.Name == "GetValueOrDefault" && inv.Instance is { Type: { } nullableType } && TypeMap.IsNullableValue(nullableType, out _))
        {
            // n.GetValueOrDefault(d): n's value if it has one, else d (or zero); the argument is evaluated either way.
            // (x[i] of a [NoDerivative] double?[] is taken apart first: a differentiated d was SG0015 there.)
            receiver = NullableDataTakenApart(LowerExpr(inv.Instance), nullableType);
            if (receiver is NullableValue { Value: Scalar { Operand: var inner } } nullable)
            {
                var fallback = inv.Arguments.Length == 1 ? LowerExpr(inv.Arguments[0].Value) : ZeroOf(inv.Type!, inv);
                if (fallback is not Scalar { Operand: var otherwise } || !otherwise.Type.Equals(inner.Type))
                {
                    return Unsupported(inv, "GetValueOrDefault of this nullable value", "test HasValue and read Value");
                }

                return new Scalar(ReferenceEquals(nullable.HasValue, Lit.True) ? inner : ReferenceEquals(nullable.HasValue, Lit.False) ? otherwise
                    : Emit(Opcode.Select, inner.Type, new[] { nullable.HasValue, inner, otherwise }));
            }
        }
        else if (!method.IsStatic)
        {
            if (inv.Instance is null || inv.Instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
            {
                receiver = Function.This;
            }
            else
            {
                _ambiguousReceiver = null;
                if (_trainable is not null && HasSource(method) && !IsEntryReceiver(inv.Instance) && AmbiguousTrainableRead(inv, method) is { } refused)
                {
                    // m.Predict(x) on var m = c ? this : other: its reads of the model's members would be neither.
                    return refused;
                }

                receiver = ReceiverFor(inv.Instance, method);
            }
        }

        // The arguments, in evaluation order, by parameter.
        var values = new FValue?[method.Parameters.Length];
        var refs = new RefValue?[method.Parameters.Length];
        foreach (var a in inv.Arguments)
        {
            if (a.Parameter is null)
            {
                return Unsupported(inv, "this argument list", "pass arguments by position or name");
            }

            int ord = a.Parameter.Ordinal;
            if (a.Parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                int reported = _diagnostics.Count;
                refs[ord] = a.Value is IDeclarationExpressionOperation { Expression: ILocalReferenceOperation decl }
                    ? RefValue.ToVariable(decl.Local)
                    : a.Value is IDiscardOperation && a.Parameter.RefKind == RefKind.Out
                    ? RefValue.ToVariable(new SyntheticKey("discard"))
                    : RefTo(a.Value);
                if (refs[ord] is null && _diagnostics.Count > reported)
                {
                    // The argument was refused where it is: one error, not a second one for the call (red-team L).
                    return new Scalar(Poison.Of(inv.Type is null ? IrType.Object : IrTypeOrData(inv.Type)));
                }

                // An out argument may name a variable with no value yet (out var a, or double a; declared unassigned):
                // it gets one here, in the caller's scope, so that what the callee writes outlives the call.
                if (a.Parameter.RefKind == RefKind.Out && refs[ord] is { Key: { } outKey } && _env.Get(outKey) is null && a.Value.Type is { } outType)
                {
                    Bind(outKey, ZeroOf(outType, a.Value));
                }

                continue;
            }

            // An in (or ref readonly) parameter given a variable of its own type is that variable, not a copy: the callee
            // reads what the variable holds when it reads the parameter, also after writing the variable through a ref
            // parameter or an array (static void Twice(ref double a, in double b) { a = 2 * a; a += b; } called as
            // Twice(ref s, in s) gives 4s; p.AddFrom(in p.S) sees its own writes to S). An argument that needs a conversion
            // is a temporary, as in C#.
            if (a.Parameter.RefKind is RefKind.In or RefKind.RefReadOnlyParameter
                && (a.Value is ILocalReferenceOperation or IParameterReferenceOperation or IArrayElementReferenceOperation
                    || (a.Value is IFieldReferenceOperation { Instance: { } owner } && IsStructType(owner.Type)))
                && RefTo(a.Value) is { } place)
            {
                refs[ord] = place;
                continue;
            }

            // Array.Copy(x, a, n), Array.Clear(a): the array, not its conversion to System.Array.
            var argument = a.Value is IConversionOperation { IsImplicit: true, Operand.Type: IArrayTypeSymbol } toArray && a.Parameter.Type.SpecialType == SpecialType.System_Array
                ? toArray.Operand
                : a.Value;
            values[ord] = LowerExpr(argument);
        }

        return CallMethod(inv, method, receiver, values, refs, discard);
    }

    /// <summary>
    /// A readonly place (an in or ref readonly parameter or local, a readonly field): C# calls a mutating method on a
    /// defensive copy of it, so the call must not change the place. A foreach or using variable held by value is not
    /// one: C# calls the method on the variable itself (p.Add(1) in foreach (var p in pts) changes p, not the element;
    /// red-team, stop 32: the call was dropped). Through one of a class (e.Pos.Norm of foreach (var e in examples)) the
    /// struct is the caller's data, read as a copy as before.
    /// </summary>
    private static bool IsReadOnlyPlace(IOperation instance) => instance switch
    {
        IParameterReferenceOperation p => p.Parameter.RefKind is RefKind.In or RefKind.RefReadOnlyParameter,
        ILocalReferenceOperation l => l.Local.RefKind == RefKind.RefReadOnly || ((l.Local.IsForEach || l.Local.IsUsing) && !l.Local.Type.IsValueType),
        IFieldReferenceOperation f => f.Field.IsReadOnly || (f.Instance is not null && IsReadOnlyPlace(f.Instance)),
        _ => false,
    };

    private static string ContainingName(IMethodSymbol method) =>
        method.ContainingType is { } t ? (t.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." : string.Empty) + t.MetadataName : string.Empty;

    private static bool IsEffect(IMethodSymbol method, string containing) =>
        method.ReturnsVoid && method.IsStatic && (EffectTypes.Contains(containing) || (GuardTypes.Contains(containing) && method.Name.StartsWith("ThrowIf", StringComparison.Ordinal)));

    /// <summary>
    /// The base class library's methods that reorder the elements of an array or span in place (Array.Reverse and Sort,
    /// their span forms, Random.Shuffle) or copy into one (Array.ConstrainedCopy, Buffer.BlockCopy): the argument they
    /// change, as a write into it, so that rearranging or overwriting a
    /// parameter's elements is SG0018 as writing one of them is. Only arguments that are plainly a variable or a view of
    /// one (x, x.AsSpan(), x.AsSpan(1, n), x.Slice(...)); anything else (a copy, a call's result) is an array the
    /// method cannot be the caller's, or runs as written.
    /// </summary>
    private bool RecordInPlaceWrites(IOperation at, IMethodSymbol method, string containing)
    {
        if (at is not IInvocationOperation inv)
        {
            return false;
        }

        // (Reverse is lowered as swaps, whose stores into a parameter are reported as any write is.)
        bool reorders = (containing is "System.Array" or "System.MemoryExtensions" && method.Name is "Sort")
            || (containing == "System.Random" && method.Name == "Shuffle");
        bool copies = (containing == "System.Array" && method.Name == "ConstrainedCopy") || (containing == "System.Buffer" && method.Name == "BlockCopy");
        if (!reorders && !copies)
        {
            return false;
        }

        // Sort(keys, items, ...) rearranges both; Reverse, Sort(array) and Shuffle their first argument; the copies
        // (source, at, destination, at, count) their third.
        int first = copies ? 2 : 0;
        int written = copies ? 3 : method.Name == "Sort" && inv.Arguments.Length >= 2 && inv.Arguments[1].Value.Type is IArrayTypeSymbol or INamedTypeSymbol { Name: "Span" } ? 2 : 1;
        for (int i = first; i < written && i < inv.Arguments.Length; i++)
        {
            RecordWriteInto(inv.Arguments[i].Value, at);
        }

        return true;
    }

    /// <summary>
    /// Methods of the base class library that take an array or a span they only read (a search, a comparison): every
    /// other method run as written that is given a writable array or span (T[], Span&lt;T&gt;, Memory&lt;T&gt;) may write into
    /// it (span.TryCopyTo(c), list.CopyTo(c), c.AsSpan().Replace(a, b)).
    /// </summary>
    private static readonly HashSet<string> ReadOnlyArrayMethods = new(StringComparer.Ordinal)
    {
        "IndexOf", "LastIndexOf", "IndexOfAny", "LastIndexOfAny", "IndexOfAnyExcept", "LastIndexOfAnyExcept", "IndexOfAnyInRange",
        "LastIndexOfAnyInRange", "IndexOfAnyExceptInRange", "LastIndexOfAnyExceptInRange", "Contains", "ContainsAny", "ContainsAnyExcept",
        "ContainsAnyInRange", "ContainsAnyExceptInRange", "SequenceEqual", "SequenceCompareTo", "StartsWith", "EndsWith", "BinarySearch",
        "Count", "CountAny", "Overlaps", "CommonPrefixLength", "Exists", "Find", "FindIndex", "FindLast", "FindLastIndex", "FindAll",
        "TrueForAll", "GetValue", "GetLength", "GetLongLength", "GetLowerBound", "GetUpperBound", "Equals", "GetHashCode", "ToString",
        "Join", "Concat", "Format", "IsNullOrEmpty", "ForEach", "Write", "WriteLine", "Assert", "Print",
    };

    /// <summary>
    /// A call run as written that is given an array or span it may write (see
    /// <see cref="ReadOnlyArrayMethods"/>): for the base class library each such argument is recorded as a write (SG0018
    /// for a parameter); true when there is one, so that the caller also refuses a varied argument (its derivative would
    /// be lost). The reverse sweep treats every call with effects as writing what it is given, whatever this returns.
    /// </summary>
    private bool RecordWritesOfValueCall(IOperation at, IMethodSymbol method)
    {
        if (at is not IInvocationOperation inv || ReadOnlyArrayMethods.Contains(method.Name))
        {
            return false;
        }

        bool any = false;
        foreach (var argument in inv.Arguments)
        {
            if (argument.Parameter is { } p && p.RefKind is RefKind.None or RefKind.Ref && IsWritableArrayType(p.Type))
            {
                // SG0018 only for the base class library, whose methods write what they are documented to; a method of
                // another assembly given a data parameter runs as written, as before (what it writes, the method wrote).
                if (IsBclType(method.ContainingType))
                {
                    RecordWriteInto(argument.Value, at);
                }

                any = true;
            }
        }

        return any;
    }

    private static bool IsWritableArrayType(ITypeSymbol type) =>
        type is IArrayTypeSymbol || (type is INamedTypeSymbol { IsGenericType: true } named && named.OriginalDefinition.ToDisplayString() is "System.Span<T>" or "System.Memory<T>");

    /// <summary>A write into the array an argument is (x, x.AsSpan(), x.AsSpan(1, n), x.Slice(...)), when it is a variable.</summary>
    private void RecordWriteInto(IOperation argument, IOperation at)
    {
        {
            var target = argument;
            for (int hops = 0; hops < 8; hops++)
            {
                if (target is IConversionOperation conversion)
                {
                    target = conversion.Operand;
                }
                else if (target is IInvocationOperation { TargetMethod.Name: "AsSpan" or "AsMemory" or "Slice" } view)
                {
                    target = view.Instance ?? (view.Arguments.Length > 0 ? view.Arguments[0].Value : view);
                }
                else
                {
                    break;
                }
            }

            // A [Trainable] array of the model (Array.Sort(W), W.AsSpan().Sort()) is a parameter as much as one passed in.
            bool trainable = target is IFieldReferenceOperation { Instance: IInstanceReferenceOperation } or IPropertyReferenceOperation { Instance: IInstanceReferenceOperation }
                && ((IMemberReferenceOperation)target).Member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == Discovery.TrainableAttribute);
            if ((target is ILocalReferenceOperation or IParameterReferenceOperation || trainable) && LowerExpr(target) is Scalar { Operand: { Type.IsArray: true } array })
            {
                var store = new Store(array, new Operand[] { Lit.Int(0) }, Lit.Int(0), accumulate: false);
                Writes.Add((store, at.Syntax.GetLocation(), SourceText(at.Syntax)));
            }
        }
    }

    /// <summary>
    /// TAct.Apply(v) of a static abstract (or static virtual) interface member called through a type parameter: the
    /// type argument is known where the generic helper is inlined (Run&lt;Relu&gt;), and so is the method that runs.
    /// </summary>
    private IMethodSymbol? StaticInterfaceImplementation(IOperation at, IMethodSymbol method)
    {
        if (!method.IsStatic || !(method.IsAbstract || method.IsVirtual) || method.ContainingType is not { TypeKind: TypeKind.Interface } || IsGenericMathMember(method))
        {
            return method;
        }

        // Unknown (a type parameter of the [Differentiable] method itself, no constrained call): null, refused by the caller.
        var target = method.IsGenericMethod ? method.ConstructedFrom : method;
        if (at is not IInvocationOperation { ConstrainedToType: { } constrainedTo } || Concrete(constrainedTo) is not INamedTypeSymbol { TypeKind: not TypeKind.TypeParameter } concrete
            || StaticImplementation(concrete, target) is not IMethodSymbol impl)
        {
            return null;
        }

        return impl.IsGenericMethod && method.IsGenericMethod && impl.TypeParameters.Length == method.TypeArguments.Length
            ? impl.Construct(method.TypeArguments.Select(Concrete).ToArray())
            : impl;
    }

    /// <summary>
    /// The member of <paramref name="concrete"/> that implements a static abstract or virtual interface member (the
    /// interface's own default when the type does not implement it); null when that cannot be told.
    /// </summary>
    private static ISymbol? StaticImplementation(INamedTypeSymbol concrete, ISymbol member)
    {
        if (concrete.FindImplementationForInterfaceMember(member) is { } found)
        {
            return found;
        }

        // A generic interface (IAct<TSelf>): the member of the interface as the concrete type implements it, only when
        // the type implements the interface once (IAct<A> and IAct<B> would need the type arguments matched).
        var definition = member.OriginalDefinition;
        var members = concrete.AllInterfaces
            .Where(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, definition.ContainingType))
            .SelectMany(i => i.GetMembers(definition.Name))
            .Where(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, definition))
            .ToList();
        if (members.Count == 1)
        {
            return concrete.FindImplementationForInterfaceMember(members[0]) ?? (members[0].IsAbstract ? null : members[0]);
        }

        return members.Count == 0 && !member.IsAbstract && concrete.AllInterfaces.Contains(member.ContainingType, SymbolEqualityComparer.Default) ? member : null;
    }

    /// <summary>The receiver of an instance call: a struct place (so that a method can change it), or a value.</summary>
    private FValue? ReceiverFor(IOperation instance, IMethodSymbol method)
    {
        // A value that is no variable (new V(x, y).Norm, Make(x).Scale(2)): C# calls the method on a temporary copy.
        bool variable = instance is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IArrayElementReferenceOperation
            || (instance is IInstanceReferenceOperation && Function.This is RefValue);
        if (variable && IsStructType(instance.Type) && !method.IsReadOnly && !IsReadOnlyPlace(instance) && Place(instance) is RefValue place)
        {
            return place;
        }

        return LowerExpr(instance);
    }

    private FValue CallMethod(IOperation at, IMethodSymbol method, FValue? receiver, FValue?[] values, RefValue?[] refs, bool discard)
    {
        if (StaticInterfaceImplementation(at, method) is not { } resolved)
        {
            return Unsupported(at, "a static abstract or virtual interface method whose implementation is not known here",
                "call the helper with a concrete type argument, or pass the value as a parameter");
        }

        method = resolved;
        if (receiver is Scalar { Operand: Poison })
        {
            // The receiver was refused where it was made: its methods are not lowered (one error, no cascade).
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        string containing = ContainingName(method);

        // Convert.ToDouble / ToSingle of a number: a conversion (of a real: it carries the derivative).
        if (method.IsStatic && containing == "System.Convert" && method.Name is "ToDouble" or "ToSingle" && values.Length == 1
            && method.Parameters[0].Type.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32
                or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte
                or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64
            && values[0] is Scalar { Operand: var from } && IrTypeOf(Concrete(method.ReturnType)) is { IsReal: true } to)
        {
            return new Scalar(from is Poison ? Poison.Of(to) : from.Type.IsReal ? ToReal(from, to, SourceText(at.Syntax)) : Emit(Opcode.Cast, to, new[] { from }, source: SourceText(at.Syntax)));
        }

        // Math: Math, MathF, double, float, and generic math (T.Exp, T.CreateChecked...).
        if (method.IsStatic && (KnownMethods.MathTypes.Contains(containing) || IsGenericMathMember(method)))
        {
            var math = LowerMath(at, method, values);
            if (math is not null)
            {
                return math;
            }
        }

        if (LowerSpanMethod(at, method, containing, receiver, values) is { } span)
        {
            return span;
        }

        if (method.MethodKind == MethodKind.LocalFunction)
        {
            return InlineCall(at, method, receiver ?? Function.This, values, refs);
        }

        if (method is { IsImplicitlyDeclared: true, IsStatic: false, Name: "Equals", Parameters.Length: 1, ContainingType: { IsRecord: true, IsValueType: true } record }
            && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, record) && receiver is not null && values[0] is { } other)
        {
            return RecordEquals(at, record, receiver is RefValue place ? ReadRef(place, at) : receiver, other, 0);
        }

        var definition = method.OriginalDefinition;
        if (Attribute(definition, CustomDerivativeAttribute) is { } custom)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] is null && refs[i] is { } place && method.Parameters[i].RefKind is RefKind.In or RefKind.RefReadOnlyParameter)
                {
                    // An in double x given a variable: the compiled method only reads it, so it gets the variable's value
                    // (red-team L: SG0017 "a struct or tuple argument").
                    values[i] = ReadRef(place, at);
                }
            }

            return CustomCall(at, method, custom, receiver, values);
        }

        bool virtualDispatch = !method.IsStatic && (method.IsVirtual || method.IsAbstract || method.IsOverride) && !method.IsSealed
            && !(method.ContainingType?.IsSealed ?? false) && !(receiver is RefValue or StructValue) && !IsBaseCall(at);
        if (HasSource(method) && !virtualDispatch)
        {
            return InlineCall(at, method, receiver, values, refs);
        }

        if (virtualDispatch && (HasSource(method) || values.Any(v => v is Scalar { Operand.Type.IsReal: true })))
        {
            Report(DiagnosticDescriptors.VirtualMethod, LocationOf(at), method.Name,
                "called through virtual dispatch here, so the method that runs is not known at build time");
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        if (Attribute(definition, "SymbolicGrad.DifferentiableAttribute") is not null)
        {
            return CompiledCall(at, method, receiver, values, method.Name + "Gradient", "[Differentiable] method");
        }

        if (at is IInvocationOperation withOuts && !method.ReturnsVoid && withOuts.Arguments.Any(a => a.Parameter?.RefKind == RefKind.Out)
            && withOuts.Arguments.All(a => a.Parameter?.RefKind is RefKind.None or RefKind.Out or RefKind.In))
        {
            return DataCallWithOutArguments(withOuts, method, refs);
        }

        if (refs.Any(r => r is not null))
        {
            return Unsupported(at, "a call with ref or out arguments to a method whose source is not in this compilation", "call a helper written in this project, or pass values");
        }

        // Anything else runs as written, on data: fine when nothing passed in depends on the parameters.
        var call = Opaque(at, pure: false);
        if (call is null)
        {
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        var resultType = call.Type;
        if (method.ReturnsVoid)
        {
            if (!RecordInPlaceWrites(at, method, containing))
            {
                RecordWritesOfValueCall(at, method);
            }

            _block.Add(new Effect(call));
            Checks.Add(new DeferredCheck(CheckKind.InactiveCall, NotCheckedAtCreation(CheckOperands(call)), LocationOf(at), new[] { SourceText(at.Syntax), ListRefusalAdvice(at) ?? Advice(method, _compilation) }));
            return new Scalar(Lit.False);
        }

        bool writes = RecordWritesOfValueCall(at, method);
        var callData = call.Data is OpaqueInfo callInfo && IsComparisonCall(at) ? new OpaqueInfo(callInfo.Parts, callInfo.Pure, callInfo.EffectFree) { Step = true } : call.Data;
        if (callData is OpaqueInfo query && !query.EffectFree && IsSideEffectFreeQuery(method))
        {
            // img.GetLength(1) of a double[,,], skip.Contains(i): a query that changes nothing, so it may stand in a loop
            // condition (it may still throw, so it is not moved).
            callData = new OpaqueInfo(query.Parts, query.Pure, effectFree: true) { Step = query.Step };
        }

        var result = Emit(Opcode.Opaque, resultType, call.Args, callData, SourceText(at.Syntax));
        if (_readsTrainables.ContainsKey(call) && result is Var fromModel)
        {
            Ir.VariedByModel.Add(fromModel);
        }

        if (writes || resultType.IsReal || resultType.IsRealArray || resultType.Kind == ValueKind.Array || !CarriesNoDerivative(method.ReturnType))
        {
            // A real, an array, or an object, tuple or collection that could hold one (Tuple.Create(x, 1), new
            // KeyValuePair<int, double>(1, x)): its derivative is unknown, so a varied argument is refused.
            Checks.Add(new DeferredCheck(CheckKind.InactiveCall, NotCheckedAtCreation(CheckOperands(call)), LocationOf(at), new[] { SourceText(at.Syntax), ListRefusalAdvice(at) ?? Advice(method, _compilation) }));
        }

        return new Scalar(result);
    }

    /// <summary>
    /// A method of the base class library that only reads: an array's bounds, a collection's membership tests, and any
    /// string method that returns a value (strings do not change).
    /// </summary>
    private static bool IsSideEffectFreeQuery(IMethodSymbol method)
    {
        if (method.ReturnsVoid || method.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            return false;
        }

        string ns = method.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        if (ns is not ("System" or "System.Collections.Generic"))
        {
            return false;
        }

        string type = method.ContainingType?.Name ?? string.Empty;
        return method.Name switch
        {
            "GetLength" or "GetLongLength" or "GetLowerBound" or "GetUpperBound" => type == "Array",
            "Contains" or "ContainsKey" or "ContainsValue" or "IndexOf" or "LastIndexOf" => type is "HashSet" or "SortedSet" or "List" or "Dictionary"
                or "SortedDictionary" or "ISet" or "IReadOnlySet" or "ICollection" or "IList" or "IReadOnlyList" or "IDictionary" or "IReadOnlyDictionary" or "String",
            _ => type == "String",
        };
    }

    /// <summary>The out arguments of the data call being printed, by their syntax, with the name each is declared as.</summary>
    private Dictionary<SyntaxNode, string>? _outArguments;

    private int _outNames;

    /// <summary>
    /// A call that runs as written and returns values through out arguments (table.TryGetValue(key, out var v),
    /// double.TryParse(s, out var d)): printed as one tuple, (M(..., out var o1), o1), whose items are the result and
    /// the values assigned. Like any call run as written, nothing passed in may depend on the parameters.
    /// </summary>
    private FValue DataCallWithOutArguments(IInvocationOperation inv, IMethodSymbol method, RefValue?[] refs)
    {
        var outs = new List<(IArgumentOperation Argument, string Name, ITypeSymbol Type)>();
        var names = new Dictionary<SyntaxNode, string>();
        foreach (var a in inv.Arguments)
        {
            if (a.Parameter?.RefKind != RefKind.Out || a.Value is IDiscardOperation || a.Syntax is not ArgumentSyntax syntax)
            {
                continue;
            }

            var type = a.Value.Type is { } t ? Concrete(t) : null;
            if (type is null || refs[a.Parameter.Ordinal] is null || type.IsRefLikeType || IsStructType(type) || TypeMap.IsNullableValue(type, out _)
                || type is INamedTypeSymbol { IsTupleType: true })
            {
                return Unsupported(inv, "an out argument of this type to a method whose source is not in this compilation", "call a helper written in this project, or pass values");
            }

            string name = "__sgOut" + (_outNames++).ToString(System.Globalization.CultureInfo.InvariantCulture);
            names[syntax] = name;
            outs.Add((a, name, type));
        }

        _outArguments = names;
        Instr? call;
        try
        {
            call = Opaque(inv, pure: false);
        }
        finally
        {
            _outArguments = null;
        }

        if (call is null)
        {
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        var info = (OpaqueInfo)call.Data!;
        var parts = info.Parts.ToArray();
        parts[0] = "(" + parts[0];
        parts[parts.Length - 1] += string.Concat(outs.Select(o => ", " + o.Name)) + ")";
        var returnType = Concrete(method.ReturnType);
        var tupleType = outs.Count == 0 ? returnType : _compilation.CreateTupleTypeSymbol(ImmutableArray.Create(returnType).AddRange(outs.Select(o => o.Type)));
        var tuple = Emit(Opcode.Opaque, IrTypeOrData(tupleType), call.Args, new OpaqueInfo(outs.Count == 0 ? info.Parts : parts, pure: false, effectFree: false), SourceText(inv.Syntax));
        Checks.Add(new DeferredCheck(CheckKind.InactiveCall, NotCheckedAtCreation(CheckOperands(call)), LocationOf(inv), new[] { SourceText(inv.Syntax), ListRefusalAdvice(inv) ?? Advice(method, _compilation) }));
        if (outs.Count == 0)
        {
            return new Scalar(tuple);
        }

        for (int i = 0; i < outs.Count; i++)
        {
            var item = Emit(Opcode.Opaque, IrTypeOrData(outs[i].Type), new[] { tuple }, new OpaqueInfo(new[] { string.Empty, ".Item" + (i + 2).ToString(System.Globalization.CultureInfo.InvariantCulture) }, pure: true, effectFree: true));
            WriteRef(refs[outs[i].Argument.Parameter!.Ordinal]!, new Scalar(item), outs[i].Argument);
        }

        return new Scalar(Emit(Opcode.Opaque, IrTypeOrData(returnType), new[] { tuple }, new OpaqueInfo(new[] { string.Empty, ".Item1" }, pure: true, effectFree: true)));
    }

    /// <summary>A type of the base class library: its operators (array → span, decimal → double) are conversions the generator knows.</summary>
    private static bool IsBclType(ITypeSymbol? t) => t?.ContainingNamespace?.ToDisplayString() is { } ns && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal));

    private static bool IsBaseCall(IOperation at) => at is IInvocationOperation { Instance: IInstanceReferenceOperation { Syntax: BaseExpressionSyntax } };

    private static string Advice(IMethodSymbol method, Compilation compilation) =>
        method.ContainingNamespace?.ToDisplayString() is { } ns && ns.StartsWith("System.Collections", StringComparison.Ordinal)
            ? (method.ContainingType is { IsGenericType: true } collection && collection.TypeArguments.Length == 1 && collection.TypeArguments[0] is IArrayTypeSymbol { Rank: 1 }
                ? "a collection of the base class library does not carry derivatives: keep the arrays in an array of arrays (new double[count][], one row per Add), which the generator differentiates"
                : "a collection of the base class library does not carry derivatives: keep the values in an array (double[]) or a span")
            : ContainingName(method) == "System.Numerics.Tensors.TensorPrimitives"
            ? "of TensorPrimitives the generator differentiates Dot, Sum and SumOfSquares of double or float spans; write this one with them (Norm(x) is Math.Sqrt(SumOfSquares(x))) or as a loop, which the generator vectorizes where it can"
            : method.OriginalDefinition.IsExtern || method.OriginalDefinition.PartialImplementationPart is { IsExtern: true }
            ? "it is extern (its body is not C#, a P/Invoke): give it a [CustomDerivative] that returns its derivative, or compute it from supported operations"
            : HasSourceStatic(method, compilation)
            ? "the generator differentiates helpers written in this project by inlining them; this one could not be inlined"
            : method.Name == "Sort" && IsBclType(method.ContainingType)
            ? "sorting moves the differentiated values in code the generator cannot see: write var s = x.OrderBy(v => v).ToArray(), or sort a local copy with a loop (an insertion sort that compares and moves elements); the gradient of either follows the order it finds"
            : IsBclType(method.ContainingType)
            ? "it is a method of the base class library with no derivative rule here: compute it from supported operations (arithmetic, Math functions, loops over doubles), or wrap it in a helper of yours and give it a [CustomDerivative]"
            : "its source is not in this compilation: mark it [Differentiable] in its own project, give it a [CustomDerivative], or compute it from supported operations (Math functions, arithmetic, loops)";

    private static AttributeData? Attribute(ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(a => Discovery.IsNamed(a.AttributeClass, metadataName));

    /// <summary>The implementation part of a partial method, accessor or constructor when it is another symbol; null otherwise.</summary>
    private static IMethodSymbol? ImplementationPart(IMethodSymbol def)
    {
        var implementation = def.PartialImplementationPart;
        if (implementation is null && def.AssociatedSymbol is IPropertySymbol { PartialImplementationPart: { } property })
        {
            implementation = def.MethodKind == MethodKind.PropertyGet ? property.GetMethod : def.MethodKind == MethodKind.PropertySet ? property.SetMethod : null;
        }

        return implementation is not null && !SymbolEqualityComparer.Default.Equals(implementation, def) ? implementation : null;
    }

    private bool HasSource(IMethodSymbol method)
    {
        var def = method.OriginalDefinition;
        def = def.PartialImplementationPart ?? def;
        if (def.IsExtern || def.IsAbstract)
        {
            return false;
        }

        return def.DeclaringSyntaxReferences.Any(r => _compilation.ContainsSyntaxTree(r.SyntaxTree));
    }

    /// <summary>
    /// Its source is in this compilation (in an editor, a method of a referenced project has syntax too, in another
    /// compilation: the generator cannot inline it).
    /// </summary>
    private static bool HasSourceStatic(IMethodSymbol method, Compilation compilation) =>
        method.OriginalDefinition.DeclaringSyntaxReferences.Any(r => compilation.ContainsSyntaxTree(r.SyntaxTree));

    // ---------------------------------------------------------------------------------------------------------
    // Math

    private FValue? LowerMath(IOperation at, IMethodSymbol method, FValue?[] values)
    {
        var resultSymbol = Concrete(method.ReturnType);
        var resultType = IrTypeOf(resultSymbol);
        string src = SourceText(at.Syntax);
        var args = values.Select(v => v as Scalar).ToArray();
        if (args.Any(a => a is null))
        {
            return null;
        }

        var operands = args.Select(a => a!.Operand).ToArray();
        if (operands.Any(o => o is Poison))
        {
            return new Scalar(Poison.Of(resultType ?? IrType.Double));
        }

        if (method.Name is "SinCos" or "SinCosPi" && operands.Length == 1 && resultSymbol is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            // (Sin, Cos) = Math.SinCos(x), and double.SinCosPi(x) = (SinPi(x), CosPi(x)).
            var (sin, cos) = method.Name == "SinCos" ? (Opcode.Sin, Opcode.Cos) : (Opcode.SinPi, Opcode.CosPi);
            var t = IrTypeOf(tuple.TupleElements[0].Type) ?? IrType.Double;
            var x = ToReal(operands[0], t);
            return new TupleValue(new FValue[] { new Scalar(Emit(sin, t, new[] { x }, source: src)), new Scalar(Emit(cos, t, new[] { x }, source: src)) });
        }

        // A number converted from a number (T.CreateChecked(x), double.CreateChecked(3)); from anything else (a generic
        // data value k of a type parameter, which C# cannot cast), the call runs as written.
        if (resultType is { IsReal: true } && method.Name is "CreateChecked" or "CreateSaturating" or "CreateTruncating" && operands.Length == 1
            && (operands[0].Type.IsReal || operands[0].Type.IsInt || operands[0] is Const))
        {
            var o = operands[0];
            if (o is Const c)
            {
                return new Scalar(new Const(c.Value, resultType));
            }

            if (o is Lit l && l.TryInt(out long n))
            {
                return new Scalar(new Const(n, resultType));
            }

            return new Scalar(o.Type.IsReal ? ToReal(o, resultType, src) : Emit(Opcode.Cast, resultType, new[] { o }, source: src));
        }

        if (resultType is { IsReal: true } && KnownMethods.TryGetOpcode(method.Name, operands.Length, out var op))
        {
            bool integerLast = KnownMethods.HasIntegerLastArgument(op);
            if (integerLast && !operands[operands.Length - 1].Type.IsInt)
            {
                // Round(x, MidpointRounding.AwayFromZero) and the like: a step function, derivative zero.
                return StepCall(at, resultType);
            }

            var converted = new Operand[operands.Length];
            for (int i = 0; i < operands.Length; i++)
            {
                bool isInt = integerLast && i == operands.Length - 1;
                if (!isInt && !(operands[i].Type.IsReal || operands[i].Type.IsInt))
                {
                    return null;
                }

                converted[i] = isInt ? operands[i] : ToReal(operands[i], resultType);
            }

            // Math.Clamp and double.Clamp differ at a signed zero (see MathClamp): the call keeps the one written.
            object? data = op == Opcode.Clamp && method.ContainingType.ToDisplayString() == "System.Math" ? MathClamp.Instance : null;
            return new Scalar(Emit(op, resultType, converted, data, source: src));
        }

        if (resultType is { IsReal: true } && method.Name is "Round" or "Floor" or "Ceiling" or "Truncate")
        {
            return StepCall(at, resultType);
        }

        if (resultType is { Kind: ValueKind.Int or ValueKind.Bool })
        {
            // Sign, IsNaN, IsFinite, ILogB, integer Abs/Max/Min...: integers and bools carry no derivative.
            string owner = IsGenericMathMember(method) && method.ContainingType.TypeArguments.Length > 0
                ? Concrete(method.ContainingType.TypeArguments[0]).ToDisplayString(TypeMap.Qualified)
                : method.ContainingType.ToDisplayString(TypeMap.Qualified);
            var parts = new string[operands.Length + 1];
            // double.ConvertToInteger<long>(x): the type arguments, which the operands do not let C# infer (CS0411; red-team N).
            string typeArguments = method.TypeArguments.Length == 0 ? string.Empty
                : "<" + string.Join(", ", method.TypeArguments.Select(a => Concrete(a).ToDisplayString(TypeMap.Qualified))) + ">";
            parts[0] = owner + "." + method.Name + typeArguments + "(";
            for (int i = 1; i < operands.Length; i++)
            {
                parts[i] = ", ";
            }

            parts[operands.Length] = ")";
            return new Scalar(Emit(Opcode.Opaque, resultType, operands, new OpaqueInfo(parts, pure: true, effectFree: true) { Step = true }, src));
        }

        return null;
    }

    /// <summary>A rounding call kept as written: its derivative is zero everywhere it has one.</summary>
    private FValue StepCall(IOperation at, IrType resultType)
    {
        var call = Opaque(at, pure: true);
        if (call is null)
        {
            return new Scalar(Poison.Of(resultType));
        }

        var data = (OpaqueInfo)call.Data!;
        return new Scalar(Emit(Opcode.Opaque, resultType, call.Args, new OpaqueInfo(data.Parts, pure: true, effectFree: true) { Step = true }, SourceText(at.Syntax)));
    }

    private FValue? GenericConstant(IPropertyReferenceOperation pr)
    {
        if (IsGenericMathMember(pr.Property) && GenericConstants.TryGetValue(pr.Property.Name, out double value) && IrTypeOf(Concrete(pr.Type!)) is { IsReal: true } t)
        {
            return new Scalar(new Const(value, t));
        }

        if (IsGenericMathMember(pr.Property) && pr.Instance is null && pr.Property.Parameters.Length == 0 && pr.ConstrainedToType is { } owner
            && Concrete(owner) is var concrete && concrete is ITypeParameterSymbol or { SpecialType: SpecialType.System_Double or SpecialType.System_Single }
            && Concrete(pr.Type!) is var valueType && IrTypeOf(valueType) is { } constantType && (constantType.IsReal || constantType.IsInt))
        {
            // T.Epsilon, T.MaxValue, T.MinValue, T.MultiplicativeIdentity, T.Radix: a constant of the type, printed on it
            // (double.Epsilon, or T.Epsilon in a generic gradient). It was printed on its interface, which does not
            // compile (CS8926; red-team N).
            return new Scalar(new Lit(concrete.ToDisplayString(TypeMap.Qualified) + "." + pr.Property.Name, constantType));
        }

        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Spans and arrays

    private FValue? LowerSpanMethod(IOperation at, IMethodSymbol method, string containing, FValue? receiver, FValue?[] values)
    {
        // The long overloads (Array.Copy(a, 0L, b, 0L, n), CopyTo(b, 1L)): positions as int, checked (a position beyond
        // int.MaxValue cannot index an array; .NET throws ArgumentOutOfRangeException there, the cast OverflowException).
        Operand? Arg(int i) => i < values.Length && values[i] is Scalar s ? s.Operand : null;
        Operand? Pos(int i) => Arg(i) is { } o && o.Type.Equals(IrType.Int64) ? Emit(Opcode.Cast, IrType.Int32, new[] { o }, true) : Arg(i);
        var self = receiver is Scalar rs ? rs.Operand : receiver is RefValue ? null : null;
        bool isSpanMember = method.ContainingType is { } ct && TypeMap.IsSpan(ct);
        bool isMemoryExtensions = containing == "System.MemoryExtensions";
        bool isArray = containing == "System.Array";
        if (!isSpanMember && !isMemoryExtensions && !isArray)
        {
            return null;
        }

        // Extension methods take the array or span as their first argument.
        if (self is null && (isMemoryExtensions || (isArray && method.IsStatic)) && values.Length > 0)
        {
            self = Arg(0);
            values = values.Skip(1).ToArray();
        }

        if (self is null || !self.Type.IsArray)
        {
            return null;
        }

        string src = SourceText(at.Syntax);
        if (self.Type.Rank == 2)
        {
            // A double[,]: GetLength, and Clone as a new matrix of its shape filled element by element (row-major).
            switch (method.Name)
            {
                case "GetLength" when values.Length == 1 && Arg(0) is { } dimension:
                    return new Scalar(Emit(Opcode.GetLength, IrType.Int32, new[] { self, dimension }, source: src));
                case "Clone" when values.Length == 0:
                    var rows = Emit(Opcode.GetLength, IrType.Int32, new[] { self, Lit.Int(0) });
                    var columns = Emit(Opcode.GetLength, IrType.Int32, new[] { self, Lit.Int(1) });
                    var matrix = Alloc(self.Type.Element!, new[] { rows, columns }, at);
                    CopyMatrix(self, matrix, columns, Emit(Opcode.Length, IrType.Int32, new[] { self }), at);
                    return new Scalar(matrix);
            }

            return null;
        }

        if (self.Type.Rank != 1)
        {
            return null;
        }

        var length = (Operand?)null;
        Operand Len() => length ??= Emit(Opcode.Length, IrType.Int32, new[] { self });
        var spanType = self.Type.WithForm(self.Type.Form == ArrayForm.ReadOnlySpan || (method.ReturnType is { } rt && TypeMap.IsReadOnlySpan(rt)) ? ArrayForm.ReadOnlySpan : ArrayForm.Span);
        switch (method.Name)
        {
            case "AsSpan" or "Slice" or "AsMemory" when values.Length == 0:
                return new Scalar(Emit(Opcode.Copy, spanType, new[] { self }, source: src));
            case "AsSpan" or "Slice" or "AsMemory" when values.Length == 1 && Pos(0) is { Type.IsInt: true } start:
                return new Scalar(Emit(Opcode.Slice, spanType, new[] { self, start, Emit(Opcode.ISub, IrType.Int32, new[] { Len(), start }) }, source: src));
            case "AsSpan" or "Slice" or "AsMemory" when values.Length == 2 && Pos(0) is { Type.IsInt: true } start2 && Pos(1) is { Type.IsInt: true } count:
                return new Scalar(Emit(Opcode.Slice, spanType, new[] { self, start2, count }, source: src));
            case "CopyTo" when values.Length == 1 && Arg(0) is { Type.IsArray: true } destination:
                // span.CopyTo(d), a.CopyTo(d): a destination too short throws ArgumentException, as the method does
                // (IndexOutOfRangeException from the copy loop before; red-team).
                CopyChecks(Lit.Int(0), destination, Lit.Int(0), Len(), at);
                CopyElements(self, destination, Len(), at);
                return new Scalar(Lit.False);
            case "Fill" when Arg(0) is { } fill && values.Length == 1:
                FillElements(self, fill, Len(), at);
                return new Scalar(Lit.False);
            case "Reverse" when values.Length == 0 && self.Type.Rank == 1:
                // Array.Reverse(a), span.Reverse(): a permutation, as swaps of mirrored elements.
                ReverseElements(self, Len(), at);
                return new Scalar(Lit.False);
            case "Reverse" when isArray && values.Length == 2 && Pos(0) is { Type.IsInt: true } reverseAt && Pos(1) is { Type.IsInt: true } reverseCount:
                ReverseElements(Emit(Opcode.Slice, self.Type.WithForm(ArrayForm.Span), new[] { self, reverseAt, reverseCount }), reverseCount, at);
                return new Scalar(Lit.False);
            case "Fill" when isArray && values.Length == 3 && Arg(0) is { } fill3 && Pos(1) is { Type.IsInt: true } fillAt && Pos(2) is { Type.IsInt: true } fillCount:
                // Array.Fill(array, value, startIndex, count): the elements of a view (which checks the range, as Fill does).
                FillElements(Emit(Opcode.Slice, self.Type.WithForm(ArrayForm.Span), new[] { self, fillAt, fillCount }), fill3, fillCount, at);
                return new Scalar(Lit.False);
            case "Clear" when values.Length == 0:
                FillElements(self, self.Type.Element!.IsReal ? new Const(0, self.Type.Element) : DefaultOf(self.Type.Element), Len(), at);
                return new Scalar(Lit.False);
            case "CopyTo" when isArray && values.Length == 2 && Arg(0) is { Type.IsArray: true } destination2 && Pos(1) is { Type.IsInt: true } at2:
                CopyChecks(Lit.Int(0), destination2, at2, Len(), at, sourceLength: Len());
                CopyElements(self, Emit(Opcode.Slice, destination2.Type.WithForm(ArrayForm.Span), new[] { destination2, at2, Len() }), Len(), at);
                return new Scalar(Lit.False);
            case "Clear" when isArray && values.Length == 2 && Pos(0) is { Type.IsInt: true } clearAt && Pos(1) is { Type.IsInt: true } clearCount:
                FillElements(
                    Emit(Opcode.Slice, self.Type.WithForm(ArrayForm.Span), new[] { self, clearAt, clearCount }),
                    self.Type.Element!.IsReal ? new Const(0, self.Type.Element) : DefaultOf(self.Type.Element),
                    clearCount,
                    at);
                return new Scalar(Lit.False);
            case "ToArray" or "Clone" when values.Length == 0:
                var copy = Alloc(self.Type.Element!, new[] { Len() }, at);
                CopyLoop(self, copy, Len(), Lit.False, at);
                return new Scalar(copy);
            case "ConvertAll" when isArray && values.Length == 1 && values[0] is FunctionValue converter && method.ReturnType is IArrayTypeSymbol { Rank: 1 } converted
                && IrTypeOf(Concrete(converted.ElementType)) is { } convertedElement && (convertedElement.IsReal || convertedElement.IsInt):
                {
                    // Array.ConvertAll(z, Math.Exp): as z.Select(f).ToArray(), one call of the converter per element in order.
                    var source = self;
                    var elements = new SequenceValue(() => Emit(Opcode.Length, IrType.Int32, new[] { source }), i => new Scalar(Load(source, new[] { i }, at)))
                        .With(new SequenceStage(converter, false, false));
                    return new Scalar(SequenceToArray(elements, convertedElement, at));
                }

            case "GetLength" when values.Length == 1 && Arg(0) is { } dim:
                return new Scalar(Emit(Opcode.GetLength, IrType.Int32, new[] { self, dim }, source: src));
            case "Copy" when isArray && values.Length == 2 && Arg(0) is { Type.IsArray: true } dst && Pos(1) is { Type.IsInt: true } n:
                CopyChecks(Lit.Int(0), dst, Lit.Int(0), n, at, sourceLength: Len());
                CopyElements(self, dst, n, at);
                return new Scalar(Lit.False);
            case "Copy" when isArray && values.Length == 4 && Pos(0) is { Type.IsInt: true } si && Arg(1) is { Type.IsArray: true } dst2 && Pos(2) is { Type.IsInt: true } di && Pos(3) is { Type.IsInt: true } n2:
                // Array.Copy's own checks first, so that a range past either end throws its ArgumentException (the
                // slices below would throw ArgumentOutOfRangeException; red-team).
                CopyChecks(si, dst2, di, n2, at, sourceLength: Len());
                var from = Emit(Opcode.Slice, self.Type.WithForm(ArrayForm.Span), new[] { self, si, n2 });
                var to = Emit(Opcode.Slice, dst2.Type.WithForm(ArrayForm.Span), new[] { dst2, di, n2 });
                CopyElements(from, to, n2, at);
                return new Scalar(Lit.False);
        }

        return null;
    }

    /// <summary>
    /// Array.Copy's checks of a copy of <paramref name="count"/> elements from <paramref name="sourceIndex"/> of a source
    /// (of <paramref name="sourceLength"/>, or any length when null: a span copies all of itself) into
    /// <paramref name="destination"/> at <paramref name="destinationIndex"/>: ArgumentOutOfRangeException for a negative
    /// index or count, ArgumentException for a range past either end, before the copy's own loop could throw otherwise.
    /// </summary>
    private void CopyChecks(Operand sourceIndex, Operand destination, Operand destinationIndex, Operand count, IOperation at, Operand? sourceLength = null)
    {
        _block.Add(new Effect(new Instr(Opcode.Opaque, IrType.Object,
            new[] { sourceLength ?? count, sourceIndex, Emit(Opcode.Length, IrType.Int32, new[] { destination }), destinationIndex, count },
            new OpaqueInfo(new[] { "global::SymbolicGrad.Internal.EnumerableChecks.ArrayCopy(", ", ", ", ", ", ", ", ", ")" }, pure: false, effectFree: false))));
    }

    private void FillElements(Operand array, Operand value, Operand count, IOperation at)
    {
        var element = array.Type.Element!;
        var v = element.IsReal ? ToReal(value, element) : value;
        var i = new SyntheticKey("i");
        Bind(i, new Scalar(Lit.Int(0)));
        EmitLoop(
            "fill",
            false,
            false,
            null,
            null,
            () => Emit(Opcode.Cmp, IrType.Bool, new[] { ((Scalar)_env.Get(i)!).Operand, count }, CmpKind.Lt),
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                var store = new Store(array, new[] { k }, v, accumulate: false);
                _block.Add(store);
                Writes.Add((store, at.Syntax.GetLocation(), SourceText(at.Syntax)));
                return Flow.Normal;
            },
            () =>
            {
                var k = ((Scalar)_env.Get(i)!).Operand;
                Bind(i, new Scalar(Emit(Opcode.IAdd, IrType.Int32, new[] { k, Lit.Int(1) })));
            },
            at);
        _env.Remove(i);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inlining

    private (IReadOnlyList<IOperation> Statements, IOperation? Initializer, SemanticModel Model)? BodyOf(IOperation at, IMethodSymbol method)
    {
        var def = method.OriginalDefinition;
        def = def.PartialImplementationPart ?? def;
        foreach (var reference in def.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(_ct);
            _dependencies?.Add(syntax);
            var model = ModelFor(syntax.SyntaxTree);
            if (model is null)
            {
                continue;
            }

            if (syntax.ContainsDiagnostics)
            {
                SilentFailure = true;
                return null;
            }

            // Its semantic errors are asked for only if lowering fails (see Discovery): record where to look.
            InlinedBodies.Add((syntax, model));

            var op = model.GetOperation(syntax, _ct);
            switch (op)
            {
                case IConstructorBodyOperation ctor:
                    return (BodyStatements((IOperation?)ctor.BlockBody ?? ctor.ExpressionBody), ctor.Initializer, model);
                case IMethodBodyOperation body:
                    return (BodyStatements(body), null, model);
                case ILocalFunctionOperation local:
                    return (BodyStatements(local), null, model);
                case IBlockOperation block:
                    return (block.Operations, null, model);
                case null when syntax is ArrowExpressionClauseSyntax arrow && model.GetOperation(arrow.Expression, _ct) is { } expr:
                    return (new IOperation[] { expr }, null, model);
            }
        }

        Report(DiagnosticDescriptors.UnknownDerivative, LocationOf(at), method.Name, "its body could not be read");
        return null;
    }

    /// <summary>
    /// Errors a [Differentiable] callee reports on its own (a goto, a lock, an unsupported expression: the same whoever
    /// calls it) are not repeated for each caller: the caller gets one SG0035 at the call, naming the callee. Errors that
    /// depend on the call (what the arguments are) stay where they are.
    /// </summary>
    private void CollapseCalleeErrors(IOperation at, IMethodSymbol def, int before)
    {
        if (_diagnostics.Count <= before || Attribute(def, "SymbolicGrad.DifferentiableAttribute") is null
            || def.IsGenericMethod || def.ContainingType is { IsGenericType: true } || def.DeclaringSyntaxReferences.Length == 0)
        {
            return;
        }

        var own = new List<DiagnosticInfo>();
        for (int i = before; i < _diagnostics.Count; i++)
        {
            var d = _diagnostics[i];
            if (d.Id is "SG0003" or "SG0010" or "SG0011" or "SG0012" or "SG0013" or "SG0016" or "SG0017" or "SG0019" && !InEntry(d))
            {
                own.Add(d);
            }
        }

        if (own.Count == 0)
        {
            return;
        }

        foreach (var d in own)
        {
            _diagnostics.Remove(d);
        }

        var first = own[0];
        Report(DiagnosticDescriptors.CalleeHasErrors, LocationOf(at), EntryName, def.Name,
            "it has " + (own.Count == 1 ? "an error" : own.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " errors") + " of its own (" + first.Id + " at line "
            + (first.LineSpan.Start.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) + ")");
    }

    private bool InEntry(DiagnosticInfo d) =>
        _entry.DeclaringSyntaxReferences.Any(r => string.Equals(r.SyntaxTree.FilePath, d.FilePath, StringComparison.Ordinal) && r.Span.Contains(d.Span));

    /// <summary>The recursion a call to <paramref name="def"/> closes, for SG0024: "'F' calls itself" or the cycle and the helpers it goes through.</summary>
    private string Cycle(IMethodSymbol def)
    {
        var chain = new List<IMethodSymbol> { _entry.OriginalDefinition };
        chain.AddRange(_inlining);
        int start = chain.FindLastIndex(m => SymbolEqualityComparer.Default.Equals(m, def));
        var names = chain.Skip(Math.Max(start, 0)).Select(m => m.Name).Append(def.Name).ToList();
        if (names.Count <= 2)
        {
            return "'" + def.Name + "' calls itself";
        }

        return "the cycle " + string.Join(" -> ", names) + " goes through " + string.Join(", ", names.Skip(1).Take(names.Count - 2).Distinct(StringComparer.Ordinal).Select(n => "'" + n + "'"));
    }

    /// <summary>Lowers a helper's body in place of the call: its parameters bound to the arguments, its returns to the result.</summary>
    /// <summary>
    /// Whether <paramref name="at"/> calls a member of a C# 14 extension block through the static class that holds the
    /// block (Ext.One(v)), rather than on the extended value or type (x.Scaled(k), double.Sq(v)).
    /// </summary>
    private static bool ImplementsExtensionMember(IMethodSymbol method, IOperation at)
    {
        if (!method.DeclaringSyntaxReferences.Any(r => r.GetSyntax().Parent is { } parent
            && Microsoft.CodeAnalysis.CSharp.CSharpExtensions.Kind(parent).ToString() is "ExtensionBlockDeclaration" or "ExtensionDeclaration"))
        {
            return false;
        }

        var holder = method.ContainingType is { TypeKind: TypeKind.Class } c ? c : method.ContainingType?.ContainingType;
        var callee = at.Syntax is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } ? access.Expression : null;
        string? named = callee switch
        {
            IdentifierNameSyntax id => id.Identifier.ValueText,
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            _ => null,
        };
        return holder is not null && named == holder.Name;
    }

    private FValue InlineCall(IOperation at, IMethodSymbol method, FValue? receiver, FValue?[] values, RefValue?[] refs)
    {
        var def = method.OriginalDefinition;
        if (ImplementsExtensionMember(def, at))
        {
            // C# 14: Ext.One(x) names the class's implementation of a member of an extension block, whose body refers
            // to the block member's parameters, not the implementation's (its arguments would have no values).
            return Unsupported(at, "a member of an extension block called through its class ('" + def.ContainingType.Name + "." + def.Name + "')",
                "call it on the extended value or type (x.Scaled(k), double.Sq(v)), or declare it as an ordinary static method");
        }

        if (_tooLarge)
        {
            // Already past the budget (reported): inlining more would only take longer (a tree of helpers that each
            // call the next twice grows as 2^depth).
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        int previous = _inlining.FindLastIndex(m => SymbolEqualityComparer.Default.Equals(m, def));
        bool throughLambda = previous >= 0 && _inlining.Skip(previous + 1).Any(m => m.MethodKind == MethodKind.AnonymousFunction);
        if ((previous >= 0 && !throughLambda) || SymbolEqualityComparer.Default.Equals(def, _entry.OriginalDefinition))
        {
            // (A helper entered again through a lambda it was given, Apply(v => Apply(u => u * u, v), x), is no
            // recursion of the helper's own: each level runs another lambda. It is inlined again, within the depth and
            // size limits, which also stop a real recursion through lambdas.)
            // A recursion on data only (Fact(n), LogGamma(d / 2.0)) needs no derivative: it runs as written. With an
            // argument that depends on the parameters it is refused once activity is known.
            if (at is IInvocationOperation && refs.All(r => r is null) && !method.ReturnsVoid && (method.IsStatic || receiver is Scalar)
                && Opaque(at, pure: false) is { } call)
            {
                var recursive = Emit(Opcode.Opaque, call.Type, call.Args, call.Data, SourceText(at.Syntax));
                Checks.Add(new DeferredCheck(CheckKind.Recursion, CheckOperands(call), LocationOf(at), new[] { def.Name, Cycle(def) }));
                return new Scalar(recursive);
            }

            Report(DiagnosticDescriptors.Recursion, LocationOf(at), def.Name, Cycle(def));
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        if (_inlining.Count >= MaxInlineDepth)
        {
            Report(DiagnosticDescriptors.TooComplex, LocationOf(at), EntryName, "helpers call helpers more than " + MaxInlineDepth.ToString(System.Globalization.CultureInfo.InvariantCulture) + " deep");
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        if (at is IInvocationOperation && method.IsStatic && !method.ReturnsVoid && method.Parameters.All(p => p.RefKind == RefKind.None && CarriesNoDerivative(p.Type))
            && !method.IsGenericMethod && method.ContainingType is { IsGenericType: false } && Accessible(method)
            && !SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, _entry.ContainingType.OriginalDefinition) && ReadsInaccessibleMembers(method)
            && Opaque(at, pure: false) is { } dataCall)
        {
            // Geometry.Weight(i) => Table[i] over a private static table of another class: a static method given only
            // integers, strings or flags reads no parameter, so its value is data; called as written.
            return new Scalar(Emit(Opcode.Opaque, dataCall.Type, dataCall.Args, dataCall.Data, SourceText(at.Syntax)));
        }

        var body = BodyOf(at, method);
        if (body is null)
        {
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        var typeArguments = TypeArgumentsOf(method);

        // A struct method's this is the place it was called on (changes stick) or a copy.
        FValue? self = receiver;
        if (receiver is StructValue or TupleValue)
        {
            var temp = new SyntheticKey("self");
            Bind(temp, receiver);
            self = RefValue.ToVariable(temp);
        }

        var keysBefore = new HashSet<object>(_env.Keys, KeyComparerInstance);
        var frame = NewFunctionFrame(def, body.Value.Model, self, typeArguments);
        frame.ReturnType = method.ReturnsVoid ? null : def.ReturnType;
        frame.Name = def.Name;
        frame.CallSite = at;
        // A partial member's body (C# 13 partial properties and indexers, C# 14 partial constructors) names the
        // parameters of its implementation part, the call those of its definition: both are bound.
        var implementation = ImplementationPart(def);
        for (int i = 0; i < def.Parameters.Length; i++)
        {
            var p = def.Parameters[i];
            if (i < refs.Length && refs[i] is { } r)
            {
                Bind(p, r);
            }
            else if (i < values.Length && values[i] is { } v)
            {
                Bind(p, v);
            }
            else if (p.HasExplicitDefaultValue)
            {
                Bind(p, new Scalar(Constant(p.ExplicitDefaultValue, Concrete(p.Type))));
            }
            else if (p.RefKind != RefKind.Out)
            {
                return Unsupported(at, "a call with a missing argument", "pass every argument");
            }

            if (implementation is not null && i < implementation.Parameters.Length && _env.Get(p) is { } bound)
            {
                Bind(implementation.Parameters[i], bound);
            }
        }

        // A C# 14 extension member (extension(double v) { public double Sq() => v * v; }): its body reads the block's
        // parameter, which is the receiver, by value.
        if (def.ContainingType is { IsExtension: true, ExtensionParameter: { } extensionParameter })
        {
            if (extensionParameter.RefKind != RefKind.None)
            {
                return Unsupported(at, "an extension member taking its receiver by reference", "take the value (extension(V v)) and return the new one");
            }

            if (receiver is not null)
            {
                Bind(extensionParameter, receiver);
            }
        }

        _frames.Add(frame);
        _inlining.Add(def);
        int diagnosticsBefore = _diagnostics.Count;
        var savedBlockStart = _block.Stmts.Count;
        FValue result;
        try
        {
            if (def.MethodKind == MethodKind.Constructor && self is RefValue selfPlace && ReadRef(selfPlace, at) is StructValue fresh)
            {
                StartConstructor(at, body.Value.Initializer, selfPlace, fresh);
            }
            else if (body.Value.Initializer is IInvocationOperation chained && chained.TargetMethod.MethodKind == MethodKind.Constructor)
            {
                Unsupported(chained, "this constructor initializer", "construct structs");
            }

            InitReturn(frame, body.Value.Statements);
            var flow = LowerList(body.Value.Statements, 0);
            result = frame.ReturnType is null ? new Scalar(Lit.False) : _env.Get(frame.Ret!) ?? (flow == Flow.Throw ? ZeroOf(frame.ReturnType, at) : new Scalar(Poison.Of(IrTypeOrData(method.ReturnType))));
            if (_env.Dead)
            {
                // The helper always throws: the caller goes on only in theory.
                _env.Dead = false;
            }
        }
        finally
        {
            _inlining.RemoveAt(_inlining.Count - 1);
            _frames.RemoveAt(_frames.Count - 1);
        }

        CollapseCalleeErrors(at, def, diagnosticsBefore);
        result = CloseOver(result, keysBefore);

        // The helper's own variables are gone after the call; a list it built and returns keeps its array and count.
        if (result is ListValue returnedList)
        {
            keysBefore.Add(returnedList.Store);
            keysBefore.Add(returnedList.Count);
        }

        foreach (var key in _env.Keys.ToList())
        {
            if (!keysBefore.Contains(key))
            {
                _env.Remove(key);
            }
        }

        if (savedBlockStart < _block.Stmts.Count && _block.Stmts[savedBlockStart].Comment is null)
        {
            _block.Stmts[savedBlockStart].Comment = "inlined " + def.ContainingType.Name + "." + def.Name + ": " + SourceText(at.Syntax);
        }

        return result;
    }

    private static IEqualityComparer<object> KeyComparerInstance => KeyComparer.Instance;

    /// <summary>Type arguments of a call (and of generic containing types), in terms of the caller's types.</summary>
    private Dictionary<ITypeParameterSymbol, ITypeSymbol> TypeArgumentsOf(IMethodSymbol method)
    {
        var def = method.OriginalDefinition;
        var typeArguments = new Dictionary<ITypeParameterSymbol, ITypeSymbol>(SymbolEqualityComparer.Default);
        for (int i = 0; i < def.TypeParameters.Length && i < method.TypeArguments.Length; i++)
        {
            typeArguments[def.TypeParameters[i]] = Concrete(method.TypeArguments[i]);
        }

        for (var (t, d) = (method.ContainingType, def.ContainingType); t is not null && d is not null; (t, d) = (t.ContainingType, d.ContainingType))
        {
            for (int i = 0; i < d.TypeParameters.Length && i < t.TypeArguments.Length; i++)
            {
                if (!SymbolEqualityComparer.Default.Equals(d.TypeParameters[i], t.TypeArguments[i]))
                {
                    typeArguments[d.TypeParameters[i]] = Concrete(t.TypeArguments[i]);
                }
            }
        }

        return typeArguments;
    }

    /// <summary>Invokes a lambda, a method group or a local function held as a value.</summary>
    /// <summary>
    /// Calls a lambda or method group on lowered arguments (inlined). <paramref name="then"/>, when given, lowers what
    /// uses the result while the lambda's variables are still bound (SelectMany's loop over the sequence the lambda gave,
    /// whose own lambdas may read them: i => Enumerable.Range(0, m).Select(j => a[i * m + j])).
    /// </summary>
    private FValue InvokeFunction(FunctionValue fn, FValue[] args, IOperation at, Func<FValue, FValue>? then = null)
    {
        if (fn.Method is { } method)
        {
            bool known = (method.IsStatic && (KnownMethods.MathTypes.Contains(ContainingName(method)) || IsGenericMathMember(method)))
                || HasSource(method) || Attribute(method.OriginalDefinition, CustomDerivativeAttribute) is not null
                || Attribute(method.OriginalDefinition, "SymbolicGrad.DifferentiableAttribute") is not null;
            if (!known)
            {
                return Unsupported(at, "the method group " + method.Name + ", whose source is not in this compilation", "use a lambda that calls it with values that do not depend on the parameters, or a helper written in this project");
            }

            var values = new FValue?[method.Parameters.Length];
            for (int i = 0; i < values.Length && i < args.Length; i++)
            {
                values[i] = args[i];
            }

            var called = CallMethod(at, method, fn.Receiver, values, new RefValue?[values.Length], discard: false);
            return then is null ? called : then(called);
        }

        var lambda = fn.Lambda!;
        var symbol = lambda.Symbol;
        if (_tooLarge)
        {
            return new Scalar(Poison.Of(IrTypeOrData(symbol.ReturnType)));
        }

        if (_inlining.Count >= MaxInlineDepth)
        {
            Report(DiagnosticDescriptors.TooComplex, LocationOf(at), EntryName, "lambdas nested more than " + MaxInlineDepth.ToString(System.Globalization.CultureInfo.InvariantCulture) + " deep");
            return new Scalar(Poison.Of(IrTypeOrData(symbol.ReturnType)));
        }

        if (CapturedWrites(lambda).FirstOrDefault(w => _env.Get(w) is null) is { } outlived)
        {
            // Counter(k) => v => { k += 1; return k * v; } called after Counter returned: the closure's variable would
            // keep its writes from call to call.
            return Unsupported(at, "a lambda that writes '" + outlived.Name + "', a variable of the helper or lambda that made it, called after that one returned",
                "keep the state in a local of the method and pass it to the lambda, or write a loop");
        }

        var model = ModelFor(lambda.Syntax.SyntaxTree) ?? Model;
        var keysBefore = new HashSet<object>(_env.Keys, KeyComparerInstance);
        List<KeyValuePair<object, FValue?>>? shadowed = null;
        if (fn.Captured is { } captured)
        {
            // The returning helper's variables, as they were when it returned (the helper may be running again now: its
            // current values come back after the call).
            foreach (var pair in captured)
            {
                if (keysBefore.Contains(pair.Key))
                {
                    (shadowed ??= new()).Add(new KeyValuePair<object, FValue?>(pair.Key, _env.Get(pair.Key)));
                }

                Bind(pair.Key, pair.Value);
            }
        }

        var frame = NewFunctionFrame(symbol, model, Function.This, null);
        frame.ReturnType = symbol.ReturnsVoid ? null : symbol.ReturnType;
        frame.Name = "lambda";
        for (int i = 0; i < symbol.Parameters.Length; i++)
        {
            Bind(symbol.Parameters[i], i < args.Length ? args[i] : new Scalar(Poison.Of(IrType.Double)));
        }

        _frames.Add(frame);
        _inlining.Add(symbol);
        FValue result;
        try
        {
            var statements = BodyStatements(lambda.Body);
            InitReturn(frame, statements);
            var flow = LowerList(statements, 0);
            result = frame.ReturnType is null ? new Scalar(Lit.False) : _env.Get(frame.Ret!) ?? (flow == Flow.Throw ? ZeroOf(frame.ReturnType, at) : new Scalar(Poison.Of(IrTypeOrData(symbol.ReturnType))));
            _env.Dead = false;
            if (then is not null)
            {
                result = then(result);
            }
        }
        finally
        {
            _inlining.RemoveAt(_inlining.Count - 1);
            _frames.RemoveAt(_frames.Count - 1);
        }

        result = CloseOver(result, keysBefore);
        foreach (var key in _env.Keys.ToList())
        {
            if (!keysBefore.Contains(key))
            {
                _env.Remove(key);
            }
        }

        if (shadowed is not null)
        {
            foreach (var pair in shadowed)
            {
                if (pair.Value is { } previous)
                {
                    Bind(pair.Key, previous);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// A lambda that outlives the helper or lambda that made it (returned as it is, or as a stage of a lazy query:
    /// Scaled(w, s) =&gt; w.Select(v =&gt; v * s)) keeps that one's variables with their values at the return, as a C#
    /// closure does: nothing can change them after it. A lambda that writes one of them is left as it is (refused
    /// where it reads it), since a closure's writes would persist from call to call.
    /// </summary>
    private FValue CloseOver(FValue result, HashSet<object> keysBefore)
    {
        switch (result)
        {
            case FunctionValue { Lambda: { } lambda } fn:
                {
                    if (WritesCapturedVariable(lambda))
                    {
                        return fn;
                    }

                    var captured = new List<KeyValuePair<object, FValue>>(fn.Captured ?? Array.Empty<KeyValuePair<object, FValue>>());
                    foreach (var key in _env.Keys)
                    {
                        if (key is ISymbol && !keysBefore.Contains(key) && _env.Get(key) is { } value and not RefValue && !captured.Any(c => KeyComparerInstance.Equals(c.Key, key)))
                        {
                            captured.Add(new KeyValuePair<object, FValue>(key, value));
                        }
                    }

                    return new FunctionValue(fn.Lambda, fn.Method, fn.Receiver) { Captured = captured };
                }

            case TupleValue tuple when tuple.Items.Any(i => i is FunctionValue or SequenceValue or TupleValue):
                // return (v => m * v, v => m + v): each lambda keeps the helper's variables.
                return new TupleValue(tuple.Items.Select(i => CloseOver(i, keysBefore)).ToArray());

            case SequenceValue sequence when sequence.Stages.Count > 0:
                {
                    var copy = new SequenceValue(sequence.Length, sequence.Element) { Skip = sequence.Skip, Take = sequence.Take };
                    foreach (var stage in sequence.Stages)
                    {
                        var function = (FunctionValue)CloseOver(stage.Function, keysBefore);
                        var selector = stage.ResultSelector is null ? null : (FunctionValue)CloseOver(stage.ResultSelector, keysBefore);
                        copy.Stages.Add(new SequenceStage(function, stage.IsFilter, stage.WithIndex, stage.IsFlatten, selector));
                    }

                    return copy;
                }

            default:
                return result;
        }
    }

    /// <summary>Whether a lambda assigns a variable it did not declare (k++ of a captured k).</summary>
    private static bool WritesCapturedVariable(IAnonymousFunctionOperation lambda) => CapturedWrites(lambda).Any();

    private static IEnumerable<ISymbol> CapturedWrites(IAnonymousFunctionOperation lambda)
    {
        foreach (var op in lambda.Body.Descendants())
        {
            var target = op switch
            {
                IAssignmentOperation a => a.Target,
                IIncrementOrDecrementOperation inc => inc.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } arg => arg.Value,
                _ => null,
            };
            ISymbol? symbol = target switch
            {
                ILocalReferenceOperation l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                _ => null,
            };
            if (symbol is not null && !symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == lambda.Syntax.SyntaxTree && lambda.Syntax.Span.Contains(r.Span)))
            {
                yield return symbol;
            }
        }
    }

    /// <summary>
    /// A lambda, inlined where it is called. One with a ref or out parameter is refused: its writes through the parameter
    /// were dropped (a wrong value and gradient, found by a red-team pass) or failed internally; a local function with
    /// the same parameters is differentiated.
    /// </summary>
    private int _refusedLambdas;

    private FValue LambdaValue(IAnonymousFunctionOperation lambda)
    {
        if (lambda.Symbol.Parameters.FirstOrDefault(p => p.RefKind is RefKind.Ref or RefKind.Out) is { } byRef)
        {
            _refusedLambdas++;
            return Unsupported(lambda, "a lambda with " + (byRef.RefKind == RefKind.Out ? "an out" : "a ref") + " parameter ('" + byRef.Name + "')",
                "write it as a local function (double Step(ref double v) { ... }), whose ref and out parameters are differentiated");
        }

        return new FunctionValue(lambda, null, null);
    }

    /// <summary>
    /// A static readonly delegate field initialized with a lambda or a static method group, in a type without a static
    /// constructor of its own (static readonly Func&lt;double, double&gt; Act = Math.Tanh;): it never holds another
    /// function, so a call through it is a call of that one. Null otherwise.
    /// </summary>
    private FValue? ReadOnlyDelegate(IOperation instance)
    {
        if (instance is not IFieldReferenceOperation { Field: { IsStatic: true, IsReadOnly: true, Type.TypeKind: TypeKind.Delegate } field }
            || field.ContainingType.StaticConstructors.Any(c => !c.IsImplicitlyDeclared) || field.DeclaringSyntaxReferences.Length != 1
            || field.DeclaringSyntaxReferences[0].GetSyntax(_ct) is not VariableDeclaratorSyntax { Initializer: { } initializer }
            || ModelFor(initializer.SyntaxTree) is not { } model)
        {
            return null;
        }

        var value = model.GetOperation(initializer, _ct) is IFieldInitializerOperation fi ? fi.Value : null;
        if (value is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation or IMethodReferenceOperation { Method.IsStatic: true } } creation)
        {
            return null;
        }

        _dependencies?.Add(initializer.Parent!.Parent!);
        return LowerDelegateCreation(creation);
    }

    private FValue LowerDelegateCreation(IDelegateCreationOperation creation)
    {
        switch (creation.Target)
        {
            case IAnonymousFunctionOperation lambda:
                return LambdaValue(lambda);
            case IMethodReferenceOperation reference:
                FValue? receiver = reference.Method.IsStatic ? null : reference.Instance is null or IInstanceReferenceOperation ? Function.This : LowerExpr(reference.Instance);
                return new FunctionValue(null, reference.Method, receiver);
            default:
                return LowerExpr(creation.Target);
        }
    }

    private FValue InlineOperator(IOperation at, IMethodSymbol op, FValue[] args)
    {
        if (op.IsImplicitlyDeclared && op.ContainingType is { IsRecord: true, IsValueType: true } record && op.Name is "op_Equality" or "op_Inequality" && args.Length == 2)
        {
            // p == q of record structs: the compiler's operator calls Equals(P).
            var equal = RecordEquals(at, record, args[0], args[1], 0);
            return op.Name == "op_Equality" || equal is not Scalar { Operand: var e } ? equal : new Scalar(Emit(Opcode.Not, IrType.Bool, new[] { e }));
        }

        if (!HasSource(op))
        {
            return Unsupported(at, "the operator " + op.ContainingType.Name + "." + op.Name + ", whose source is not in this compilation", "use the operator on double, or write the computation on the fields");
        }

        var values = new FValue?[op.Parameters.Length];
        for (int i = 0; i < values.Length && i < args.Length; i++)
        {
            values[i] = args[i];
        }

        return InlineCall(at, op, null, values, new RefValue?[values.Length]);
    }

    private FValue[]? InlineDeconstruct(IMethodSymbol deconstruct, StructValue sv, IOperation at)
    {
        var keys = deconstruct.Parameters.Select(p => new SyntheticKey(p.Name)).ToArray();
        for (int i = 0; i < keys.Length; i++)
        {
            // Each out variable exists before the call, as an out argument's variable does (unbound, the values the
            // body assigned could not be read back: an internal error, red-team).
            Bind(keys[i], ZeroOf(deconstruct.Parameters[i].Type, at));
        }

        var refs = keys.Select(k => (RefValue?)RefValue.ToVariable(k)).ToArray();
        InlineCall(at, deconstruct, sv, new FValue?[keys.Length], refs);
        var result = keys.Select(k => _env.Get(k) ?? new Scalar(Poison.Of(IrType.Double))).ToArray();
        foreach (var k in keys)
        {
            _env.Remove(k);
        }

        return result;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Calls through compiled gradients

    /// <summary>A call to a method with a [CustomDerivative]: the value and its partials come from the user's derivative method.</summary>
    private FValue CustomCall(IOperation at, IMethodSymbol method, AttributeData custom, FValue? receiver, FValue?[] values)
    {
        string? name = custom.ConstructorArguments.Length == 1 ? custom.ConstructorArguments[0].Value as string : null;
        if (name is null)
        {
            Report(DiagnosticDescriptors.CustomDerivative, LocationOf(at), "?", method.Name, "is not named: write [CustomDerivative(nameof(NameGradient))]");
            return new Scalar(Poison.Of(IrTypeOrData(method.ReturnType)));
        }

        return CompiledCall(at, method, receiver, values, name, "custom derivative");
    }

    private FValue CompiledCall(IOperation at, IMethodSymbol method, FValue? receiver, FValue?[] values, string gradientName, string what)
    {
        var resultType = IrTypeOf(Concrete(method.ReturnType));
        if (resultType is not { IsReal: true })
        {
            return Unsupported(at, "a call to a " + what + " that does not return a real number", "return double or float");
        }

        // A [Differentiable] method of another project that differentiates a matrix parameter (its gradient has a
        // double[,] or double[][] output) is called the way one with an array parameter is: not yet.
        if (what == "[Differentiable] method" && method.Parameters.Any(p => p.RefKind is RefKind.None or RefKind.In && TypeMap.MatrixElement(p.Type, out _) is not null
            && Attribute(p, "SymbolicGrad.NoDerivativeAttribute") is null))
        {
            return NotYet(at, "Calling a compiled derivative that takes arrays", "write the helper in this project (it is then inlined), or pass scalars");
        }

        // The derivative method: the same parameters, then one out (or Span) per differentiable parameter.
        var differentiable = method.Parameters.Select(p => IsDifferentiableCompiledParameter(p)).ToArray();
        // A generic method's derivative is generic too (T SqT<T>(T x) and T SqTG<T>(T x, out T dX)): compared at the
        // call's type arguments (red-team L: compared unconstructed, it never matched).
        var gradient = method.ContainingType.GetMembers(gradientName).OfType<IMethodSymbol>()
            .Select(g => method.IsGenericMethod && g.IsGenericMethod && g.Arity == method.Arity && SymbolEqualityComparer.Default.Equals(g, g.ConstructedFrom)
                && (method.TypeArguments.All(t => t is not ITypeParameterSymbol) || SameConstraints(method.OriginalDefinition, g))
                ? g.Construct(method.TypeArguments.ToArray())
                : g)
            .FirstOrDefault(g => MatchesGradient(method, g, differentiable));
        if (gradient is null)
        {
            Report(DiagnosticDescriptors.CustomDerivative, LocationOf(at), gradientName, method.Name,
                "was not found with the expected signature: the parameters of '" + method.Name + "', then 'out double dP' for each double parameter p (Span<double> for arrays), returning the value");
            return new Scalar(Poison.Of(resultType));
        }

        if (method.Parameters.Any(p => differentiable[p.Ordinal] && TypeMap.VectorElement(p.Type) is not null))
        {
            return what == "custom derivative"
                ? NotYet(at, "A custom derivative of a helper that takes arrays", "give custom derivatives scalar parameters (call it per element), or remove [CustomDerivative] so that the helper's body is differentiated")
                : NotYet(at, "Calling a compiled derivative that takes arrays", "write the helper in this project (it is then inlined), or pass scalars");
        }

        if (what == "custom derivative" && _modelThis is { } model
            && ((!method.IsStatic && receiver is Scalar { Operand: var on } && ReferenceEquals(on, model) && ReadsTrainables(method))
                || values.Any(v => v is Scalar { Operand: var passed } && ReferenceEquals(passed, model))))
        {
            // Its derivative method gives the partials of its parameters only: the model's [Trainable] members it reads
            // (through this, or the model passed in) would be constants, silently (red-team L).
            return Unsupported(at, "a [CustomDerivative] method that reads the model's [Trainable] members",
                "its derivative method gives the derivatives of its parameters only, so the members it reads would be constants: pass the members it needs as parameters (a static Act(double x, double w) called as Act(x, W)), or remove [CustomDerivative] so that its body is differentiated");
        }

        var args = new List<Operand>();
        if (!method.IsStatic)
        {
            if (receiver is not Scalar { Operand: var r })
            {
                return Unsupported(at, "this call", "call it on a data object or this");
            }

            args.Add(r);
        }

        var partials = new List<Var>();
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            if (values[i] is not Scalar { Operand: var o })
            {
                return Unsupported(at, "a struct or tuple argument to a compiled method", "pass numbers");
            }

            var p = method.Parameters[i];
            var pt = IrTypeOf(Concrete(p.Type));
            if (pt is { IsReal: true })
            {
                o = ToReal(o, pt);
            }

            args.Add(o);
            if (differentiable[i] && pt is { IsReal: true } && !pt.Equals(resultType))
            {
                // double Mul(double x, float y) with out float dY: the reverse sweep assigned the double product to the
                // float output (CS0266 in the generated code; red-team M).
                return Unsupported(at, "a call to a " + what + " whose differentiated parameters mix float and double",
                    "give '" + method.Name + "' and its derivative method parameters of its return type (" + resultType.CSharp + "), converting inside it");
            }

            if (differentiable[i])
            {
                partials.Add(Ir.NewVar("d" + method.Name + "_d" + p.Name, pt!, VarRole.Temp));
            }
            else if (pt is { IsReal: true })
            {
                Checks.Add(new DeferredCheck(CheckKind.InactiveDataArgument, new[] { o }, LocationOf(at), new[] { method.Name, p.Name }));
            }
        }

        if (partials.Count > 0 && Discovery.HessianRequested(_entry))
        {
            // The second-order code differentiates the compiled derivative again, which it cannot: refused at this call
            // when a varied value reaches it (a call on data only is fine).
            Checks.Add(new DeferredCheck(CheckKind.SecondOrderCall, args.Skip(method.IsStatic ? 0 : 1).Where((_, i) => differentiable[i]).ToArray(), LocationOf(at), new[]
            {
                EntryName,
                "'" + method.Name + "' has a compiled derivative (a [CustomDerivative] or a [Differentiable] method of another assembly) of first order only, and a value that depends on the parameters reaches it here: drop Hessian = true (the gradient needs only the first derivative), or call a method whose source is in this compilation",
            }));
        }

        string owner = method.IsStatic ? method.ContainingType.ToDisplayString(TypeMap.Qualified) : string.Empty;
        var info = new CallInfo(method.Name, gradientName, owner, partials.ToArray(), differentiable,
            method.Parameters.Select(p => IrTypeOrData(p.Type)).ToArray(), method.ContainingType.Name + "." + method.Name);
        return new Scalar(Emit(Opcode.Call, resultType, args.ToArray(), info, SourceText(at.Syntax)));
    }

    /// <summary>
    /// Whether the body of <paramref name="method"/> (a method of the model) reads one of its [Trainable] members, uses
    /// this other than to read a plain field, or calls a method or computed property of the model (which may).
    /// </summary>
    private bool ReadsTrainables(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax(_ct);
            var model = ModelFor(syntax.SyntaxTree);
            if (model is null)
            {
                return true;
            }

            foreach (var node in syntax.DescendantNodes())
            {
                switch (node)
                {
                    case ThisExpressionSyntax th:
                        if (th.Parent is not MemberAccessExpressionSyntax access || access.Expression != th || ExposesTrainables(model.GetSymbolInfo(access, _ct).Symbol))
                        {
                            return true;
                        }

                        break;
                    case SimpleNameSyntax name when model.GetSymbolInfo(name, _ct).Symbol is { IsStatic: false } symbol and (IFieldSymbol or IPropertySymbol or IMethodSymbol)
                        && ExposesTrainables(symbol):
                        return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a generic derivative method constrains its type parameters exactly as the method does, so that it can be
    /// called inside generic code at the method's own type arguments (a stricter one, where T : struct, gave CS0453 in
    /// the generated code; red-team M). Constraint types are compared with the type parameters named by position.
    /// </summary>
    private static bool SameConstraints(IMethodSymbol method, IMethodSymbol gradient)
    {
        for (int i = 0; i < method.TypeParameters.Length; i++)
        {
            var a = method.TypeParameters[i];
            var b = gradient.TypeParameters[i];
            if (a.HasValueTypeConstraint != b.HasValueTypeConstraint || a.HasReferenceTypeConstraint != b.HasReferenceTypeConstraint
                || a.HasUnmanagedTypeConstraint != b.HasUnmanagedTypeConstraint || a.HasConstructorConstraint != b.HasConstructorConstraint
                || a.HasNotNullConstraint != b.HasNotNullConstraint)
            {
                return false;
            }

            string Shown(ITypeParameterSymbol p, IMethodSymbol owner) => string.Join(";", p.ConstraintTypes
                .Select(t => owner.TypeParameters.Aggregate(t.ToDisplayString(), (text, tp) => text.Replace(tp.Name, "#" + tp.Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture))))
                .OrderBy(x => x, StringComparer.Ordinal));
            if (Shown(a, method) != Shown(b, gradient))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDifferentiableCompiledParameter(IParameterSymbol p) =>
        p.RefKind is RefKind.None or RefKind.In && (TypeMap.IsRealSymbol(p.Type) || (TypeMap.VectorElement(p.Type) is { } e && TypeMap.IsRealSymbol(e)))
        && Attribute(p, "SymbolicGrad.NoDerivativeAttribute") is null;

    private static bool MatchesGradient(IMethodSymbol method, IMethodSymbol gradient, bool[] differentiable)
    {
        int outputs = differentiable.Count(d => d);
        if (gradient.IsStatic != method.IsStatic || gradient.Parameters.Length != method.Parameters.Length + outputs
            || !SymbolEqualityComparer.Default.Equals(gradient.ReturnType, method.ReturnType))
        {
            return false;
        }

        for (int i = 0; i < method.Parameters.Length; i++)
        {
            if (!SymbolEqualityComparer.Default.Equals(gradient.Parameters[i].Type, method.Parameters[i].Type))
            {
                return false;
            }
        }

        int k = method.Parameters.Length;
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            if (!differentiable[i])
            {
                continue;
            }

            var g = gradient.Parameters[k++];
            var p = method.Parameters[i];
            bool scalar = TypeMap.IsRealSymbol(p.Type) && g.RefKind == RefKind.Out && SymbolEqualityComparer.Default.Equals(g.Type, p.Type);
            bool array = TypeMap.VectorElement(p.Type) is not null && TypeMap.IsSpan(g.Type) && !TypeMap.IsReadOnlySpan(g.Type);
            if (!scalar && !array)
            {
                return false;
            }
        }

        return true;
    }
}
