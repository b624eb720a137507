using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>Expressions: operators, conversions, reads, assignments, conditionals.</summary>
internal sealed partial class Lowerer
{
    private FValue LowerValue(IOperation op, ITypeSymbol? target) => LowerExpr(op);

    private Operand LowerScalar(IOperation op) => ScalarOf(LowerExpr(op), op);

    /// <summary>The operand of a value lowered from <paramref name="op"/>, or a refusal when it is not one number, array or data value.</summary>
    private Operand ScalarOf(FValue v, IOperation op)
    {
        if (v is Scalar s)
        {
            return s.Operand;
        }

        if (v is ListValue)
        {
            Unsupported(op, "a list the method builds (held as an array) used this way", "use it with Add, Count, its indexer, foreach, LINQ or ToArray(), or pass list.ToArray() on");
        }
        else if (v is TupleArrayValue)
        {
            Unsupported(op, "an array of tuples or structs used this way", "read and write its elements (pairs[i], pairs[i].X, foreach) and read its Length; copy the elements with a loop");
        }
        else
        {
            Unsupported(op, "a struct, tuple or function where a number is expected", "use a number here");
        }

        return Poison.Of(IrTypeOrData(op.Type));
    }

    private Operand LowerIndex(IOperation op)
    {
        var o = LowerScalar(op);
        if (o is Poison || !o.Type.IsInt || o.Type.Equals(IrType.Int32))
        {
            return o;
        }

        // An array takes a long, uint or ulong index (x[i] with long i), a span only an int: the generated code indexes
        // gradient spans and scratch buffers with it too. A valid index fits in an int; one that does not was out of
        // range anyway, and the checked conversion throws instead of wrapping to a valid one.
        return Emit(Opcode.Cast, IrType.Int32, new[] { o }, true, SourceText(op.Syntax));
    }

    private FValue LowerExpr(IOperation op)
    {
        if (!Enter(op))
        {
            return new Scalar(Poison.Of(op.Type is null ? IrType.Object : IrTypeOrData(op.Type)));
        }

        try
        {
            return LowerExprCore(op);
        }
        finally
        {
            Leave();
        }
    }

    private FValue LowerExprCore(IOperation op)
    {
        var type = op.Type;
        if (type?.TypeKind == TypeKind.Dynamic)
        {
            Report(DiagnosticDescriptors.DynamicOperation, LocationOf(op), SourceText(op.Syntax));
            return new Scalar(Poison.Of(IrType.Object));
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType && FileLocalType(enumType) is { } fileEnum && op is not IConversionOperation { IsImplicit: true })
        {
            // A value of a file enum: the generated file cannot name it, and printed by its name it bound to another
            // enum of that name in the namespace (a wrong value and gradient; red-team Q), or did not compile.
            return Unsupported(op, "a value of the file-local enum '" + fileEnum.Name + "' (the generated code is in another file and cannot name it)",
                "declare the enum without 'file' (internal or private in the class), or use int constants");
        }

        if (op.ConstantValue.HasValue && type is not null && op is not IAnonymousFunctionOperation)
        {
            if (op.ConstantValue.Value is null && TypeMap.IsNullableValue(Concrete(type), out var underlying))
            {
                return new NullableValue(Lit.False, ZeroOf(underlying, op));
            }

            return new Scalar(Constant(op.ConstantValue.Value, Concrete(type)));
        }

        switch (op)
        {
            case IConversionOperation conversion:
                return LowerConversion(conversion);
            case IParameterReferenceOperation p:
                return Read(p.Parameter, op);
            case ILocalReferenceOperation l:
                return Read(l.Local, op);
            case IFieldReferenceOperation f:
                return LowerFieldRead(f);
            case IPropertyReferenceOperation pr:
                return LowerPropertyRead(pr);
            case IArrayElementReferenceOperation element:
                return LowerElementRead(element);
            case IImplicitIndexerReferenceOperation implicitIndexer:
                return LowerImplicitIndexer(implicitIndexer);
            case IInstanceReferenceOperation instance:
                return LowerThis(instance);
            case IBinaryOperation binary:
                return LowerBinary(binary);
            case IInlineArrayAccessOperation inlineArray:
                return InlineArrayElement(inlineArray) ?? new Scalar(Poison.Of(IrTypeOrData(op.Type)));
            case IObjectCreationOperation or IDefaultValueOperation when IsInlineArray(op.Type):
                return Unsupported(op, "an [InlineArray] struct", InlineArrayAdvice);
            case IRangeOperation or IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } when op.Type is { } rt && rt.ContainingNamespace?.Name == "System" && rt.Name is "Range" or "Index":
                // A Range or Index held as a value (var r = 1..3) is data: it is refused where it slices, with a rewrite.
                return OpaqueValue(op, pure: true);
            case IUnaryOperation unary:
                return LowerUnary(unary);
            case IInvocationOperation invocation:
                return LowerInvocation(invocation, discard: false);
            case IConditionalOperation ternary when ternary.WhenFalse is not null:
                return LowerTernary(ternary);
            case ISimpleAssignmentOperation assign:
                return LowerSimpleAssignment(assign);
            case ICompoundAssignmentOperation compound:
                return LowerCompoundAssignment(compound);
            case IIncrementOrDecrementOperation inc:
                return LowerIncrement(inc);
            case IDeconstructionAssignmentOperation deconstruction:
                // C# evaluates the targets' arrays and indices, left to right, before the value: (t[k++], t[k++]) = (x[k], …).
                var places = new Dictionary<IOperation, object?>();
                ElementPlaces(deconstruction.Target, places);
                var value = LowerExpr(deconstruction.Value);
                AssignDeconstruction(deconstruction.Target, value, deconstruction, deconstruction.Value.Type, places);
                return value;
            case IDefaultValueOperation:
                return DefaultValue(type!, op);
            case IObjectCreationOperation creation:
                return LowerObjectCreation(creation);
            case ITupleOperation tuple:
                return new TupleValue(tuple.Elements.Select(LowerExpr).ToArray());
            case IArrayCreationOperation array:
                return LowerArrayCreation(array);
            case ICollectionExpressionOperation collection:
                return LowerCollectionExpression(collection);
            case IIsPatternOperation isPattern:
                return new Scalar(LowerIsPattern(isPattern));
            case ISwitchExpressionOperation switchExpression:
                return LowerSwitchExpression(switchExpression);
            case ICoalesceOperation coalesce:
                return LowerCoalesce(coalesce);
            case IThrowOperation thrown:
                LowerThrow(thrown);
                return new Scalar(DefaultOf(IrTypeOrData(type)));
            case IAnonymousFunctionOperation lambda:
                return LambdaValue(lambda);
            case ITranslatedQueryOperation query:
                // Query syntax is the method calls it stands for (Where, Select, ... with implicit lambdas): lowered as those.
                return LowerExpr(query.Operation);
            case IDelegateCreationOperation delegateCreation:
                return LowerDelegateCreation(delegateCreation);
            case IWithOperation with:
                return LowerWith(with);
            case ITupleBinaryOperation tupleBinary:
                return new Scalar(LowerTupleEquality(tupleBinary));
            case ICoalesceAssignmentOperation coalesceAssignment:
                return LowerCoalesceAssignment(coalesceAssignment);
            case IConditionalAccessOperation conditionalAccess:
                return LowerConditionalAccess(conditionalAccess);
            case IConditionalAccessInstanceOperation when _conditionalInstances.Count > 0:
                return _conditionalInstances.Peek();
            case IInterpolatedStringOperation or ITypeOfOperation or ISizeOfOperation or IIsTypeOperation or INameOfOperation:
                return OpaqueValue(op, pure: op is ITypeOfOperation or ISizeOfOperation or INameOfOperation or IIsTypeOperation);
            case ILiteralOperation:
                return new Scalar(Constant(null, type ?? _compilation.ObjectType));
            case IAwaitOperation:
                return Unsupported(op, "await", "await in the caller and pass the result in");
            case IAddressOfOperation:
                return PointerError(op);
            case IAnonymousObjectCreationOperation anonymous:
                return LowerAnonymousObject(anonymous);
            case IParameterInitializerOperation or IFieldInitializerOperation or IPropertyInitializerOperation:
                return Unsupported(op, "an initializer", "assign in the body");
            default:
                if (op.Kind == OperationKind.None && op.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.StackAllocArrayCreationExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ImplicitStackAllocArrayCreationExpressionSyntax)
                {
                    return LowerStackAlloc(op);
                }

                if (IsPointerConstruct(op))
                {
                    return PointerError(op);
                }

                var (what, advice) = Unknown(op);
                return Unsupported(op, what, advice);
        }
    }

    /// <summary>A pointer read, write or value (*p, p->X, p[i], &amp;x): the whole pointer use is one construct.</summary>
    private static bool IsPointerConstruct(IOperation op) =>
        op.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol
        || Microsoft.CodeAnalysis.CSharp.CSharpExtensions.Kind(op.Syntax) is Microsoft.CodeAnalysis.CSharp.SyntaxKind.PointerIndirectionExpression or Microsoft.CodeAnalysis.CSharp.SyntaxKind.PointerMemberAccessExpression or Microsoft.CodeAnalysis.CSharp.SyntaxKind.AddressOfExpression
        || (op.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ElementAccessExpressionSyntax ea && op.SemanticModel?.GetTypeInfo(ea.Expression).Type is IPointerTypeSymbol);

    /// <summary>Pointers are refused once per method: the &amp;x that makes one, not again at every *p that reads it.</summary>
    private FValue PointerError(IOperation op)
    {
        if (_pointerReported)
        {
            return new Scalar(Poison.Of(op.Type is null || op.Type is IPointerTypeSymbol ? IrType.Object : IrTypeOrData(op.Type)));
        }

        _pointerReported = true;
        return Unsupported(op, "pointers", "use arrays and spans");
    }

    /// <summary>What an expression the generator does not lower is, and what to write instead.</summary>
    private static (string What, string Advice) Unknown(IOperation op) => op.Kind switch
    {
        OperationKind.TypeParameterObjectCreation => ("new T() of a type parameter", "use T.Zero, T.One or T.CreateChecked(...) for numbers, or pass the value in"),
        OperationKind.Utf8String => ("a UTF-8 string literal", "use a string, or compute the bytes outside the method"),
        OperationKind.None when op.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.ArgListExpression } => ("__arglist", "pass the values as parameters or a params array"),
        OperationKind.EventReference or OperationKind.RaiseEvent or OperationKind.EventAssignment => ("an event", "raise or subscribe to events in the caller; a differentiable method computes a value"),
        OperationKind.FunctionPointerInvocation => ("a call through a function pointer", "call the method directly"),
        OperationKind.InlineArrayAccess => ("an inline array", "use an array (new double[n]) or a stackalloc span"),
        OperationKind.Spread => ("a spread (..xs) in a collection expression", "fill the array with a loop"),
        OperationKind.MethodReference => ("a method group used as a value", "call the method, or assign it to a Func<...> local and call that"),
        OperationKind.DynamicObjectCreation or OperationKind.DynamicInvocation or OperationKind.DynamicMemberReference or OperationKind.DynamicIndexerAccess
            => ("dynamic", "use double, float or a concrete type"),
        OperationKind.None => ("this construct", "write it with the operations docs/supported-csharp.md lists: arithmetic, Math functions, locals, arrays, spans, structs, tuples, helpers, LINQ, loops and conditionals"),
        _ => (DescribeKind(op), "write it with the operations docs/supported-csharp.md lists: arithmetic, Math functions, locals, arrays, spans, structs, tuples, helpers, LINQ, loops and conditionals"),
    };

    private static string DescribeKind(IOperation op) => op.Kind switch
    {
        OperationKind.None => "this construct",
        _ => "the " + SplitWords(op.Kind.ToString()).ToLowerInvariant() + " expression",
    };

    private static string SplitWords(string s)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in s)
        {
            if (char.IsUpper(c) && sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Constants and reads

    private Operand Constant(object? value, ITypeSymbol type)
    {
        var irType = IrTypeOf(type) ?? IrType.Data(type.ToDisplayString(TypeMap.Qualified));
        switch (value)
        {
            case double d when irType.IsReal:
                return new Const(d, irType);
            case float f when irType.IsReal:
                return new Const(f, irType);
            case bool b:
                return Lit.Bool(b);
            case null:
                return irType.IsReal ? new Const(0, irType) : new Lit(irType.Kind == ValueKind.Data && type.IsReferenceType ? "null" : "default", irType);
            case string s:
                return new Lit(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(s, quote: true), irType);
            case char c:
                return new Lit(Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(c, quote: true), irType);
        }

        if (irType.IsReal)
        {
            return new Const(System.Convert.ToDouble(value, CultureInfo.InvariantCulture), irType);
        }

        // A negative value under a cast is parenthesized: ((Dir)-1) and ((nint)-5) do not compile (CS0075; red-team Q).
        static string Signed(string digits) => digits.StartsWith("-", StringComparison.Ordinal) ? "(" + digits + ")" : digits;
        if (type.TypeKind == TypeKind.Enum)
        {
            return new Lit("((" + irType.CSharp + ")" + Signed(System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "0") + ")", irType);
        }

        string text = System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "default";
        text = type.SpecialType switch
        {
            SpecialType.System_Int64 => text + "L",
            SpecialType.System_UInt32 => text + "U",
            SpecialType.System_UInt64 => text + "UL",
            SpecialType.System_Decimal => text + "m",
            SpecialType.System_Int32 => text,
            _ => "((" + irType.CSharp + ")" + Signed(text) + ")",
        };
        if (text.StartsWith("-", StringComparison.Ordinal) && type.SpecialType != SpecialType.System_Int32)
        {
            text = "(" + text + ")";
        }

        return new Lit(text, irType);
    }

    /// <summary>
    /// For a variable with no value, read inside a lambda or local function declared somewhere its variable is not: what
    /// declared the variable (a method, a lambda, a local function), which has returned (closures that outlive their
    /// creator are not followed).
    /// </summary>
    private static string? OutlivedCapture(ISymbol symbol, IOperation at)
    {
        var function = at.Syntax.AncestorsAndSelf().FirstOrDefault(n => n is Microsoft.CodeAnalysis.CSharp.Syntax.AnonymousFunctionExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax);
        if (function is null || symbol is not (IParameterSymbol or ILocalSymbol)
            || symbol.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == function.SyntaxTree && function.Span.Contains(r.Span)))
        {
            return null;
        }

        return symbol.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } ? "lambda"
            : symbol.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction } ? "local function"
            : "method";
    }

    private FValue Read(ISymbol symbol, IOperation at)
    {
        var v = _env.Get(symbol);
        switch (v)
        {
            case null:
                if (symbol is IParameterSymbol { RefKind: RefKind.Out })
                {
                    return new Scalar(DefaultOf(IrTypeOrData(at.Type)));
                }

                if (symbol is IParameterSymbol { ContainingSymbol: IMethodSymbol primary } parameter && IsPrimaryConstructor(primary))
                {
                    // Read by a member of the struct (not an initializer): the hidden field the compiler keeps it in.
                    return PrimaryParameterPlace(parameter, at) is { } hidden ? ReadRef(hidden, at) : new Scalar(Poison.Of(IrTypeOrData(at.Type)));
                }

                if (OutlivedCapture(symbol, at) is { } creator)
                {
                    // Scaler(k) => v => k * v, or a => b => a * b: a lambda called after the method or lambda that
                    // made it returned, reading that one's variable.
                    return Unsupported(at, "a variable of the " + creator + " that made this lambda, read after it returned", "give the lambda the value as a parameter ((k, v) => k * v, or a helper of two parameters) and call it directly");
                }

                if (!HasErrors)
                {
                    Report(DiagnosticDescriptors.InternalError, LocationOf(at), EntryName, "'" + symbol.Name + "' has no value here");
                }

                return new Scalar(Poison.Of(IrTypeOrData(at.Type)));
            case RefValue r:
                return ReadRef(r, at);
            default:
                return v;
        }
    }

    private FValue LowerThis(IInstanceReferenceOperation instance)
    {
        var f = Function;
        if (instance.ReferenceKind == InstanceReferenceKind.ContainingTypeInstance && f.This is not null)
        {
            return f.This is RefValue r ? ReadRef(r, instance) : f.This;
        }

        return Unsupported(instance, "this instance", "use the members of the method's own type");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Operators

    private const string InlineArrayAdvice = "use a span over stackalloc (Span<double> b = stackalloc double[3]) or a local array";

    private static bool IsInlineArray(ITypeSymbol? type) =>
        type is { TypeKind: TypeKind.Struct } && type.GetAttributes().Any(a => a.AttributeClass is { Name: "InlineArrayAttribute", ContainingNamespace: { Name: "CompilerServices" } });

    /// <summary>b[i] of an [InlineArray] struct: refused, once (an inline array refused where it was made stays silent).</summary>
    private FValue? InlineArrayElement(IInlineArrayAccessOperation access)
    {
        if (access.Instance is ILocalReferenceOperation { Local: var local } && _env.Get(local) is Scalar { Operand: Poison })
        {
            return null;
        }

        return Unsupported(access, "an element of an [InlineArray] struct", InlineArrayAdvice);
    }

    private FValue LowerBinary(IBinaryOperation op)
    {
        if (op.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr && op.OperatorMethod is null)
        {
            var l = LowerCondition(op.LeftOperand);
            return new Scalar(ShortCircuit(l, op.OperatorKind == BinaryOperatorKind.ConditionalAnd, () => LowerCondition(op.RightOperand)));
        }

        if (op.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
        {
            return LowerUserShortCircuit(op);
        }

        if (op.OperatorMethod is { } external && !IsGenericMathMember(external) && !HasSource(external) && !external.IsImplicitlyDeclared
            && op.Type?.SpecialType == SpecialType.System_Boolean)
        {
            // A comparison by an operator of the BCL (typeof(T) == typeof(int), (Half)x > (Half)1, two DateTimes):
            // a bool is a step function, exact to run as written.
            return OpaqueValue(op, pure: true);
        }

        // a + b + c + ... is a left-deep tree as deep as it is long: walk its spine with a list, not recursion.
        var spine = new List<IBinaryOperation>();
        IOperation cur = op;
        while (cur is IBinaryOperation b && b.OperatorKind is not (BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr) && spine.Count < 1_000_000)
        {
            spine.Add(b);
            cur = b.LeftOperand;
        }

        var acc = LowerExpr(cur);
        for (int i = spine.Count - 1; i >= 0; i--)
        {
            var b = spine[i];
            _ct.ThrowIfCancellationRequested();
            if (b.OperatorMethod is not null && !IsGenericMathMember(b.OperatorMethod))
            {
                acc = InlineOperator(b, b.OperatorMethod, new[] { acc, LowerExpr(b.RightOperand) });
                continue;
            }

            var right = LowerExpr(b.RightOperand);
            if (i == spine.Count - 1)
            {
                acc = NullableDataTakenApart(acc, cur.Type);
            }

            acc = ApplyBinary(b, b.OperatorKind, acc, NullableDataTakenApart(right, b.RightOperand.Type), b.Type!, b.IsChecked);
        }

        return acc;
    }

    /// <summary>
    /// a &amp;&amp; b, a || b of a user type with operator true/false (C# §12.15.3): <c>T.false(a) ? a : T.&amp;(a, b)</c>
    /// and <c>T.true(a) ? a : T.|(a, b)</c>; a is evaluated once, b only when the operator is called.
    /// </summary>
    private FValue LowerUserShortCircuit(IBinaryOperation op)
    {
        // T.false (for &&) or T.true (for ||) of the type that declares the operator & or | (the compiler's choice).
        bool isAnd = op.OperatorKind == BinaryOperatorKind.ConditionalAnd;
        var combine = op.OperatorMethod;
        var test = combine?.ContainingType.GetMembers(isAnd ? "op_False" : "op_True").OfType<IMethodSymbol>()
            .FirstOrDefault(m => m.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, combine.ContainingType));
        if (test is null || combine is null)
        {
            return Unsupported(op, "this short-circuit operator", "call the operators & or | of the type, or test a bool");
        }

        var left = LowerExpr(op.LeftOperand);
        if (InlineOperator(op, test, new[] { left }) is not Scalar { Operand: var cond } || cond is Poison)
        {
            return new Scalar(Poison.Of(IrTypeOrData(op.Type!)));
        }

        var key = new SyntheticKey("choice");
        EmitIf(cond, () =>
        {
            Bind(key, left);
            return Flow.Normal;
        }, () =>
        {
            Bind(key, InlineOperator(op, combine, new[] { left, LowerExpr(op.RightOperand) }));
            return Flow.Normal;
        });
        var result = _env.Get(key) ?? new Scalar(Poison.Of(IrTypeOrData(op.Type!)));
        _env.Remove(key);
        return FlattenSelect(result);
    }

    /// <summary>a && b, a || b: b is evaluated only when needed; when b is pure it is evaluated anyway and combined.</summary>
    private Operand ShortCircuit(Operand left, bool isAnd, Func<Operand> lowerRight)
    {
        var key = new SyntheticKey(isAnd ? "and" : "or");
        int before = _block.Stmts.Count;
        var (_, _) = EmitIf(left, () =>
        {
            Bind(key, new Scalar(isAnd ? lowerRight() : Lit.True));
            return Flow.Normal;
        }, () =>
        {
            Bind(key, new Scalar(isAnd ? Lit.False : lowerRight()));
            return Flow.Normal;
        });
        var result = ((Scalar)_env.Get(key)!).Operand;
        _env.Remove(key);

        // Flatten when the right operand was pure: no branch needed.
        if (_block.Stmts.Count == before + 1 && _block.Stmts[before] is If { Phis.Count: 1 } i && (i.Phis[0].Dst == result))
        {
            var branch = isAnd ? i.Then : i.Else;
            var other = isAnd ? i.Else : i.Then;
            if (other.Stmts.Count == 0 && branch.Stmts.All(s => s is Assign a && a.Value.IsPure))
            {
                _block.Stmts.RemoveAt(before);
                _block.Stmts.AddRange(branch.Stmts);
                var rightValue = isAnd ? i.Phis[0].Then : i.Phis[0].Else;
                return Emit(isAnd ? Opcode.And : Opcode.Or, IrType.Bool, new[] { left, rightValue });
            }
        }

        return result;
    }

    /// <summary>
    /// A double? read as data (x[i] of a [NoDerivative] double?[]): its HasValue and its value, so that a lifted operator
    /// or ?? works on its parts (it took the whole Nullable object as a number: SG9999 at printing; red-team, stop 33).
    /// </summary>
    private FValue NullableDataTakenApart(FValue value, ITypeSymbol? type) =>
        value is Scalar { Operand: { Type.Kind: ValueKind.Data } data } && data is not Poison && type is not null && NullableData(data, type) is { } parts ? parts : value;

    private FValue ApplyBinary(IOperation at, BinaryOperatorKind kind, FValue left, FValue right, ITypeSymbol resultType, bool isChecked)
    {
        if (left is NullableValue || right is NullableValue)
        {
            return LiftedBinary(at, kind, left, right, resultType, isChecked);
        }

        if (left is not Scalar ls || right is not Scalar rs)
        {
            return Unsupported(at, "an operator on a struct or tuple without an operator method", "use its fields");
        }

        var a = ls.Operand;
        var b = rs.Operand;
        var type = IrTypeOrData(resultType);
        string src = SourceText(at.Syntax);
        if (a is Poison || b is Poison)
        {
            return new Scalar(Poison.Of(type));
        }

        if (kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual
            or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual)
        {
            if (a.Type.IsReal && b.Type.IsReal && !a.Type.Equals(b.Type))
            {
                return Unsupported(at, "a comparison of two real types", "convert one side first");
            }

            var cmp = kind switch
            {
                BinaryOperatorKind.Equals => CmpKind.Eq,
                BinaryOperatorKind.NotEquals => CmpKind.Ne,
                BinaryOperatorKind.LessThan => CmpKind.Lt,
                BinaryOperatorKind.LessThanOrEqual => CmpKind.Le,
                BinaryOperatorKind.GreaterThan => CmpKind.Gt,
                _ => CmpKind.Ge,
            };
            return new Scalar(Emit(Opcode.Cmp, IrType.Bool, new[] { a, b }, cmp, src));
        }

        if (type.IsReal)
        {
            if (!a.Type.IsReal || !b.Type.IsReal)
            {
                a = ToReal(a, type);
                b = ToReal(b, type);
            }

            Opcode? real = kind switch
            {
                BinaryOperatorKind.Add => Opcode.Add,
                BinaryOperatorKind.Subtract => Opcode.Sub,
                BinaryOperatorKind.Multiply => Opcode.Mul,
                BinaryOperatorKind.Divide => Opcode.Div,
                BinaryOperatorKind.Remainder => Opcode.Rem,
                _ => null,
            };
            if (real is { } r)
            {
                return new Scalar(Emit(r, type, new[] { a, b }, source: src));
            }

            return Unsupported(at, "the operator " + kind + " on real numbers", "use + − * / %, comparisons and the Math functions");
        }

        if (type.IsInt)
        {
            Opcode? integer = kind switch
            {
                BinaryOperatorKind.Add => Opcode.IAdd,
                BinaryOperatorKind.Subtract => Opcode.ISub,
                BinaryOperatorKind.Multiply => Opcode.IMul,
                BinaryOperatorKind.Divide => Opcode.IDiv,
                BinaryOperatorKind.Remainder => Opcode.IRem,
                BinaryOperatorKind.And => Opcode.BitAnd,
                BinaryOperatorKind.Or => Opcode.BitOr,
                BinaryOperatorKind.ExclusiveOr => Opcode.BitXor,
                BinaryOperatorKind.LeftShift => Opcode.Shl,
                BinaryOperatorKind.RightShift => Opcode.Shr,
                BinaryOperatorKind.UnsignedRightShift => Opcode.UShr,
                _ => null,
            };
            if (integer is { } i)
            {
                return new Scalar(Emit(i, type, new[] { a, b }, Overflow(isChecked), src));
            }
        }

        if (type.IsBool)
        {
            Opcode? logical = kind switch
            {
                BinaryOperatorKind.And => Opcode.And,
                BinaryOperatorKind.Or => Opcode.Or,
                BinaryOperatorKind.ExclusiveOr => Opcode.Xor,
                _ => null,
            };
            if (logical is { } lg)
            {
                return new Scalar(Emit(lg, IrType.Bool, new[] { a, b }, source: src));
            }
        }

        if (type.Kind == ValueKind.Data && kind == BinaryOperatorKind.Add)
        {
            // String concatenation: data.
            return new Scalar(Emit(Opcode.Opaque, type, new[] { a, b }, new OpaqueInfo(new[] { "(", " + ", ")" }, pure: false, effectFree: true), src));
        }

        return Unsupported(at, "the operator " + kind + " on " + type.CSharp, "use arithmetic on double, float and integers, and comparisons");
    }

    private FValue LiftedBinary(IOperation at, BinaryOperatorKind kind, FValue left, FValue right, ITypeSymbol resultType, bool isChecked)
    {
        // x == null with x a double? taken apart: the null is a nullable without a value (compared as a number it was
        // 'x.GetValueOrDefault() == null', always false).
        static FValue NullAsNullable(FValue v, FValue other) =>
            v is Scalar { Operand: Lit { Text: "null" or "default" } } && other is NullableValue { Value: Scalar { Operand: { Type: var t } } } && (t.IsReal || t.Equals(IrType.Int32))
                ? new NullableValue(Lit.False, new Scalar(t.IsReal ? new Const(0, t) : Lit.Int(0)))
                : v;
        left = NullAsNullable(left, right);
        right = NullAsNullable(right, left);
        Operand Has(FValue v) => v is NullableValue n ? n.HasValue : Lit.True;
        FValue Val(FValue v) => v is NullableValue n ? n.Value : v;
        var both = Emit(Opcode.And, IrType.Bool, new[] { Has(left), Has(right) });
        bool comparison = kind is BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual or BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual;
        if (kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals)
        {
            // Equal when both are null, or both have equal values.
            var values = ApplyBinary(at, BinaryOperatorKind.Equals, Val(left), Val(right), _compilation.GetSpecialType(SpecialType.System_Boolean), isChecked) as Scalar;
            var neither = Emit(Opcode.And, IrType.Bool, new[] { Emit(Opcode.Not, IrType.Bool, new[] { Has(left) }), Emit(Opcode.Not, IrType.Bool, new[] { Has(right) }) });
            var eq = Emit(Opcode.Or, IrType.Bool, new[] { neither, Emit(Opcode.And, IrType.Bool, new[] { both, values?.Operand ?? Lit.False }) });
            return new Scalar(kind == BinaryOperatorKind.Equals ? eq : Emit(Opcode.Not, IrType.Bool, new[] { eq }));
        }

        var underlying = TypeMap.IsNullableValue(resultType, out var u) ? u : resultType;
        var result = ApplyBinary(at, kind, Val(left), Val(right), underlying, isChecked);
        if (comparison)
        {
            return result is Scalar s ? new Scalar(Emit(Opcode.And, IrType.Bool, new[] { both, s.Operand })) : result;
        }

        return new NullableValue(both, result);
    }

    private FValue LowerUnary(IUnaryOperation unary)
    {
        if (unary.OperatorMethod is not null && !IsGenericMathMember(unary.OperatorMethod))
        {
            return InlineOperator(unary, unary.OperatorMethod, new[] { LowerExpr(unary.Operand) });
        }

        var value = NullableDataTakenApart(LowerExpr(unary.Operand), unary.Operand.Type);
        if (value is NullableValue n)
        {
            var inner = UnaryOn(unary, n.Value, TypeMap.IsNullableValue(unary.Type!, out var u) ? u : unary.Type!);
            return new NullableValue(n.HasValue, inner);
        }

        return UnaryOn(unary, value, unary.Type!);
    }

    private FValue UnaryOn(IUnaryOperation unary, FValue value, ITypeSymbol resultType)
    {
        if (value is not Scalar { Operand: var operand })
        {
            return Unsupported(unary, "an operator on a struct or tuple", "use its fields");
        }

        var type = IrTypeOrData(resultType);
        string src = SourceText(unary.Syntax);
        switch (unary.OperatorKind)
        {
            case UnaryOperatorKind.Plus:
                return new Scalar(type.IsReal ? ToReal(operand, type) : operand);
            case UnaryOperatorKind.Minus when type.IsReal:
                return new Scalar(Emit(Opcode.Neg, type, new[] { ToReal(operand, type) }, source: src));
            case UnaryOperatorKind.Minus when type.IsInt:
                return new Scalar(Emit(Opcode.INeg, type, new[] { operand }, Overflow(unary.IsChecked), src));
            case UnaryOperatorKind.Not when type.IsBool:
                return new Scalar(Emit(Opcode.Not, IrType.Bool, new[] { operand }, source: src));
            case UnaryOperatorKind.BitwiseNegation when type.IsInt:
                return new Scalar(Emit(Opcode.BitNot, type, new[] { operand }, source: src));
            default:
                return Unsupported(unary, "the operator " + unary.OperatorKind, "use +, −, ! and the Math functions");
        }
    }

    /// <summary>A static abstract member of a System.Numerics interface, reached through a type parameter (T.One, T.Exp, +).</summary>
    private static bool IsGenericMathMember(ISymbol member) =>
        member.IsStatic && member.ContainingType is { TypeKind: TypeKind.Interface } owner && owner.ContainingNamespace?.ToDisplayString() == "System.Numerics";

    /// <summary>
    /// An integer operation's overflow context as the instruction's data: true for checked; false for unchecked in a
    /// project that checks by default (CheckForOverflowUnderflow), printed unchecked(...) since the generated file is
    /// compiled with the project's default (an explicit unchecked cast threw in the gradient; red-team N); else null.
    /// </summary>
    private object? Overflow(bool isChecked) => isChecked ? true : _compilation.Options.CheckOverflow ? false : null;

    private FValue LowerTernary(IConditionalOperation ternary)
    {
        var cond = LowerCondition(ternary.Condition);
        if (ternary.IsRef)
        {
            return NotYet(ternary, "A conditional ref (c ? ref a : ref b)", "use an if/else");
        }

        var key = new SyntheticKey("choice");
        EmitIf(cond, () =>
        {
            Bind(key, LowerExpr(ternary.WhenTrue));
            return Flow.Normal;
        }, () =>
        {
            Bind(key, LowerExpr(ternary.WhenFalse!));
            return Flow.Normal;
        });
        var result = _env.Get(key) ?? new Scalar(Poison.Of(IrTypeOrData(ternary.Type)));
        _env.Remove(key);
        return FlattenSelect(result);
    }

    /// <summary>
    /// c ? a : b whose branches computed nothing is a select: written inline, no branch. (Branches that compute,
    /// or may throw, stay an if/else so only the branch taken is evaluated and differentiated.)
    /// </summary>
    private FValue FlattenSelect(FValue result)
    {
        if (_block.Stmts.Count > 0 && _block.Stmts[_block.Stmts.Count - 1] is If i && i.Then.Stmts.Count == 0 && i.Else.Stmts.Count == 0 && i.Phis.Count == 1
            && result is Scalar { Operand: Var v } && ReferenceEquals(i.Phis[0].Dst, v) && !v.Type.IsArray)
        {
            _block.Stmts.RemoveAt(_block.Stmts.Count - 1);
            var select = Emit(Opcode.Select, v.Type, new[] { i.Cond, i.Phis[0].Then, i.Phis[0].Else });
            if (_mayBeThis.Contains(v))
            {
                _mayBeThis.Add(select);
            }

            return new Scalar(select);
        }

        return result;
    }

    /// <summary>The receivers of the o?.M being lowered, innermost last (what o?.M's .M reads).</summary>
    private readonly Stack<FValue> _conditionalInstances = new();

    /// <summary>
    /// o?.M: M of o when o has a value (a nullable value's Value, or a non-null object), else null; M is not evaluated
    /// when o is null.
    /// </summary>
    private FValue LowerConditionalAccess(IConditionalAccessOperation access)
    {
        var receiver = LowerExpr(access.Operation);
        Operand hasValue;
        FValue instance;
        switch (receiver)
        {
            case NullableValue n:
                hasValue = n.HasValue;
                instance = n.Value;
                break;
            case Scalar { Operand: var o } when o.Type.Kind is ValueKind.Data or ValueKind.Array && access.Operation.Type is { IsReferenceType: true }:
                hasValue = NotNull(o);
                instance = receiver;
                break;
            case Scalar { Operand: Poison } poison:
                return poison;
            default:
                return Unsupported(access, "?. on this value", "test it for null with an if statement");
        }

        var type = Concrete(access.Type!);
        bool nullableResult = TypeMap.IsNullableValue(type, out _) && access.WhenNotNull.Type is { } inner && !TypeMap.IsNullableValue(inner, out _);
        var key = new SyntheticKey("access");
        EmitIf(hasValue, () =>
        {
            _conditionalInstances.Push(instance);
            try
            {
                var value = LowerExpr(access.WhenNotNull);
                Bind(key, nullableResult ? new NullableValue(Lit.True, value) : value);
            }
            finally
            {
                _conditionalInstances.Pop();
            }

            return Flow.Normal;
        }, () =>
        {
            Bind(key, ZeroOf(type, access));
            return Flow.Normal;
        });
        var result = _env.Get(key) ?? new Scalar(Poison.Of(IrTypeOrData(access.Type)));
        _env.Remove(key);
        return FlattenSelect(result);
    }

    /// <summary>
    /// o is not null, for a value of a reference type. A constant (null or default) is known to be null: the test is
    /// false, never printed ("default is not null" does not compile).
    /// </summary>
    private Operand NotNull(Operand o) =>
        o is Lit { Text: "null" or "default" } ? Lit.False
        : o is Poison ? Poison.Of(IrType.Bool)
        : Emit(Opcode.Opaque, IrType.Bool, new[] { o }, new OpaqueInfo(new[] { "(", " is not null)" }, pure: true, effectFree: true));

    /// <summary>v ??= e on a local or parameter: v keeps its value when it has one, else e (converted) is assigned; the value is v's.</summary>
    private FValue LowerCoalesceAssignment(ICoalesceAssignmentOperation op)
    {
        if (op.Target is not (ILocalReferenceOperation or IParameterReferenceOperation) || op.Target.Type is null || op.Type is null)
        {
            return Unsupported(op, "??= on this target", "test it for null with an if statement and assign it there");
        }

        var current = LowerExpr(op.Target);
        Operand hasValue;
        switch (current)
        {
            case NullableValue n:
                hasValue = n.HasValue;
                break;
            case Scalar { Operand: var o } when o.Type.Kind is ValueKind.Data or ValueKind.Array && op.Target.Type.IsReferenceType:
                hasValue = NotNull(o);
                break;
            case Scalar { Operand: Poison } poison:
                return poison;
            default:
                return Unsupported(op, "??= on this value", "test it for null with an if statement and assign it there");
        }

        var resultType = Concrete(op.Type);
        bool unwrap = current is NullableValue && !TypeMap.IsNullableValue(resultType, out _);
        var key = new SyntheticKey("value");
        EmitIf(hasValue, () =>
        {
            Bind(key, unwrap ? ((NullableValue)current).Value : current);
            return Flow.Normal;
        }, () =>
        {
            var value = LowerExpr(op.Value);
            Assign(op.Target, Convert(op, value, op.Value.Type, Concrete(op.Target.Type), isChecked: false), op);
            Bind(key, Convert(op, value, op.Value.Type, resultType, isChecked: false));
            return Flow.Normal;
        });
        var result = _env.Get(key) ?? new Scalar(Poison.Of(IrTypeOrData(op.Type)));
        _env.Remove(key);
        return FlattenSelect(result);
    }

    private FValue LowerCoalesce(ICoalesceOperation coalesce)
    {
        var value = LowerExpr(coalesce.Value);
        // A double? read as data (x[0] of a double?[], an element of a List<double?>): its HasValue and its value, as a
        // nullable parameter is (the whole Nullable object was the non-null value: SG9999 at printing).
        value = NullableDataTakenApart(value, coalesce.Value.Type);

        if (value is NullableValue n)
        {
            var key = new SyntheticKey("value");
            bool resultIsNullable = coalesce.Type is not null && TypeMap.IsNullableValue(coalesce.Type, out _);
            EmitIf(n.HasValue, () =>
            {
                Bind(key, resultIsNullable ? n : n.Value);
                return Flow.Normal;
            }, () =>
            {
                Bind(key, LowerExpr(coalesce.WhenNull));
                return Flow.Normal;
            });
            var result = _env.Get(key) ?? new Scalar(Poison.Of(IrTypeOrData(coalesce.Type)));
            _env.Remove(key);
            return FlattenSelect(result);
        }

        if (value is Scalar { Operand: var o } && o.Type.Kind is ValueKind.Data or ValueKind.Array)
        {
            var isNull = Emit(Opcode.Opaque, IrType.Bool, new[] { o }, new OpaqueInfo(new[] { "(", " is null)" }, pure: true, effectFree: true));
            var key = new SyntheticKey("value");
            EmitIf(isNull, () =>
            {
                Bind(key, LowerExpr(coalesce.WhenNull));
                return Flow.Normal;
            }, () =>
            {
                Bind(key, value);
                return Flow.Normal;
            });
            var result = _env.Get(key) ?? new Scalar(Poison.Of(IrTypeOrData(coalesce.Type)));
            _env.Remove(key);
            return result;
        }

        return Unsupported(coalesce, "?? on this type", "use ?? on nullable numbers or references");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Conversions

    private FValue LowerConversion(IConversionOperation conversion)
    {
        var to = Concrete(conversion.Type!);
        if (conversion.OperatorMethod is { } op && !IsGenericMathMember(op) && !IsBclType(op.ContainingType))
        {
            // A conversion operator of the user's (a struct's): inlined like any helper.
            return InlineOperator(conversion, op, new[] { LowerExpr(conversion.Operand) });
        }

        if (conversion.Operand is IThrowOperation thrown)
        {
            // c ? v : throw ... of a struct, tuple or nullable type: the branch throws, its value is never read.
            LowerThrow(thrown);
            return DefaultValue(to, conversion);
        }

        var operand = LowerExpr(conversion.Operand);
        return Convert(conversion, operand, conversion.Operand.Type is null ? null : Concrete(conversion.Operand.Type), to, conversion.IsChecked);
    }

    private FValue Convert(IOperation at, FValue operand, ITypeSymbol? from, ITypeSymbol to, bool isChecked)
    {
        if (from is not null && SymbolEqualityComparer.Default.Equals(from, to))
        {
            return operand;
        }

        // A float? or int? read as data, converted to double?: its HasValue and value first (it was taken to have a
        // value: the ?? fallback vanished and the gradient threw where the method returned; red-team, stop 33).
        if (TypeMap.IsNullableValue(to, out _) || IrTypeOf(to) is { Kind: ValueKind.Real or ValueKind.Int })
        {
            operand = NullableDataTakenApart(operand, from);
        }

        if (operand is ListValue && IsReadOnlyListView(to))
        {
            // A list held as an array, passed as IEnumerable<T> or IReadOnlyList<T> to a helper that only reads it.
            return operand;
        }

        // To and from nullable values.
        if (TypeMap.IsNullableValue(to, out var toUnderlying))
        {
            if (operand is NullableValue n)
            {
                var converted = Convert(at, n.Value, from is not null && TypeMap.IsNullableValue(from, out var fu) ? fu : from, toUnderlying, isChecked);
                return new NullableValue(n.HasValue, converted);
            }

            if (operand is Scalar { Operand: Lit { Text: "null" or "default" } })
            {
                return new NullableValue(Lit.False, ZeroOf(toUnderlying, at));
            }

            return new NullableValue(Lit.True, Convert(at, operand, from, toUnderlying, isChecked));
        }

        if (operand is NullableValue nv)
        {
            // (double)nullable: its value, or InvalidOperationException.
            ThrowUnless(nv.HasValue, "new global::System.InvalidOperationException(\"Nullable object must have a value.\")");
            return Convert(at, nv.Value, from is not null && TypeMap.IsNullableValue(from, out var fu2) ? fu2 : from, to, isChecked);
        }

        if (operand is TupleValue tuple && to is INamedTypeSymbol { IsTupleType: true } toTuple && toTuple.TupleElements.Length == tuple.Items.Length)
        {
            var fromElements = from is INamedTypeSymbol { IsTupleType: true } ft ? ft.TupleElements.Select(e => e.Type).ToArray() : null;
            return new TupleValue(tuple.Items.Select((item, i) => Convert(at, item, fromElements?[i], toTuple.TupleElements[i].Type, isChecked)).ToArray());
        }

        if (operand is TupleArrayValue && from is IArrayTypeSymbol fromArray && to is IArrayTypeSymbol toArray && fromArray.Rank == toArray.Rank
            && SameButForTupleNames(fromArray.ElementType, toArray.ElementType))
        {
            // Arrays of the same tuple type but for the names of its elements ((double, double)[] to (double V, double W)[]).
            return operand;
        }

        if (operand is StructValue or TupleValue)
        {
            if (to.SpecialType == SpecialType.System_Object || to.TypeKind == TypeKind.Interface)
            {
                return from is { IsAnonymousType: true }
                    ? Unsupported(at, "an anonymous object used as an object (compared, printed or stored as object)", "use its members (p.X), which are values the method can read")
                    : Unsupported(at, "boxing a struct", "pass its fields");
            }

            return operand;
        }

        if (operand is FunctionValue)
        {
            return operand;
        }

        if (operand is TupleArrayValue)
        {
            return Unsupported(at, "a span or another view of a local array of tuples or structs", "index the array itself (ps[i], ps[i].X = v), and give a helper that takes it an array parameter (S[] ps)");
        }

        if (operand is not Scalar { Operand: var o })
        {
            return Unsupported(at, "this conversion", "convert between double, float and integers");
        }

        if (o.Type is { IsArray: true, Rank: 1, Form: ArrayForm.Array } && to is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } sequence
            && sequence.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T && IrTypeOf(Concrete(sequence.TypeArguments[0])) is { } sequenceElement
            && sequenceElement.Equals(o.Type.Element))
        {
            // An array as IEnumerable<double> (a helper declared to return one, IEnumerable<double> xs = w): still the
            // array, which foreach and LINQ read as they read arrays (an opaque cast before: refused where enumerated).
            return operand;
        }

        var target = IrTypeOf(to);
        if (o is Poison)
        {
            return new Scalar(Poison.Of(target ?? IrType.Object));
        }

        if (target is null)
        {
            return Unsupported(at, "a conversion to " + to.ToDisplayString(), "convert between double, float and integers");
        }

        if (target.Equals(o.Type))
        {
            return operand;
        }

        string src = SourceText(at.Syntax);
        switch (target.Kind)
        {
            case ValueKind.Real when o.Type.IsReal:
                return new Scalar(Emit(Opcode.Convert, target, new[] { o }, source: src));
            case ValueKind.Real when o.Type.IsInt:
                Checks.Add(new DeferredCheck(CheckKind.InactiveConversion, new[] { o }, LocationOf(at), new[] { src, o.Type.CSharp + " (computed from the parameters by code the generator cannot see)" }));
                return new Scalar(Emit(Opcode.Cast, target, new[] { o }, source: src));
            case ValueKind.Real:
                // From decimal, object, Half...: fine on data, refused when the value depends on the parameters (checked later).
                var r = Emit(Opcode.Opaque, target, new[] { o }, new OpaqueInfo(new[] { "((" + target.CSharp + ")", ")" }, pure: false, effectFree: true), src);
                Checks.Add(new DeferredCheck(CheckKind.InactiveConversion, new[] { o }, LocationOf(at), new[] { src, o.Type.CSharp }));
                return new Scalar(r);
            case ValueKind.Int when o.Type.IsInt || o.Type.IsReal:
                // A real truncated to an integer: a step function, derivative zero.
                return new Scalar(Emit(Opcode.Cast, target, new[] { o }, Overflow(isChecked), src));
            case ValueKind.Array when o.Type.IsArray:
                return new Scalar(Emit(Opcode.Copy, target, new[] { o }, source: src));
            case ValueKind.Data when o.Type.IsReal:
                // To decimal, object, Half...: the result is data; converting it back to a real is checked.
                return new Scalar(Emit(Opcode.Opaque, target, new[] { o }, new OpaqueInfo(new[] { "((" + target.CSharp + ")", ")" }, pure: false, effectFree: true), src));
            default:
                if (o.Type.IsArray || o.Type.IsReal)
                {
                    // An array or a number wrapped in a type the generator does not follow (ReadOnlyMemory<double> t = w,
                    // (object)w): what is read back through it (t.Span[0]) is data, so a varied operand is refused here
                    // (red-team M: t.Span[0] * t.Span[1] had a zero gradient).
                    Checks.Add(new DeferredCheck(CheckKind.InactiveCall, new[] { o }, LocationOf(at), new[]
                    {
                        src, "the generator does not follow values through a " + to.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)
                            + ": use the array itself or a span over it (w.AsSpan(), ReadOnlySpan<double> t = w), which carry derivatives",
                    }));
                }

                return new Scalar(Emit(Opcode.Opaque, target, new[] { o }, new OpaqueInfo(new[] { "((" + target.CSharp + ")", ")" }, pure: false, effectFree: true), src));
        }
    }

    /// <summary>Emits if (!condition) throw exception;.</summary>
    private void ThrowUnless(Operand condition, string exception)
    {
        if (condition == Lit.True)
        {
            return;
        }

        var not = Emit(Opcode.Not, IrType.Bool, new[] { condition });
        var then = new Block();
        then.Add(new Throw(new Instr(Opcode.Opaque, IrType.Object, Array.Empty<Operand>(), new OpaqueInfo(new[] { exception }, pure: false, effectFree: false))));
        _block.Add(new If(not, then, new Block(), new List<Phi>()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Assignments

    private FValue LowerSimpleAssignment(ISimpleAssignmentOperation assign)
    {
        if (assign.IsRef)
        {
            if (assign.Target is ILocalReferenceOperation l)
            {
                var r = RefTo(assign.Value);
                if (r is not null)
                {
                    Bind(l.Local, r);
                    _rebinds[l.Local] = assign;
                }

                return new Scalar(Lit.False);
            }

            return NotYet(assign, "Re-pointing this ref", "re-point ref locals only");
        }

        if (IsElementTarget(assign.Target))
        {
            // C# evaluates the array and the index before the value: r[k++] = x[k] reads x at the incremented k.
            var place = Place(assign.Target);
            var assigned = LowerExpr(assign.Value);
            WritePlace(place, assigned, assign);
            return assigned;
        }

        var value = LowerExpr(assign.Value);
        Assign(assign.Target, value, assign);
        if (value is FunctionValue or SequenceValue or ListValue or TupleValue or StructValue && assign.Target is ILocalReferenceOperation { Local: var local })
        {
            _rebinds[local] = assign;
        }

        return value;
    }

    /// <summary>An element of an array or span (a[i], a[^1], s[i]): its place is computed from expressions of its own.</summary>
    private bool IsElementTarget(IOperation target) => target switch
    {
        IArrayElementReferenceOperation => !IsStructSetter(target),
        IImplicitIndexerReferenceOperation ii => ii.Argument.Type?.Name == "Index",
        IPropertyReferenceOperation pr when pr.Property.IsIndexer && IsList(pr.Property.ContainingType) && HeldList(pr.Instance) is not null => true,
        IPropertyReferenceOperation pr => pr.Property.IsIndexer && pr.Instance?.Type is { } it && TypeMap.IsSpan(it) && !IsStructSetter(target),
        _ => false,
    };

    private FValue LowerCompoundAssignment(ICompoundAssignmentOperation compound)
    {
        if (compound.OperatorMethod is { IsStatic: false } instanceOperator)
        {
            // C# 14: a user-defined compound assignment (public void operator +=(V o)) changes its target in place, like
            // a mutating method called on it.
            if (!IsStructType(compound.Target.Type) || !HasSource(instanceOperator) || instanceOperator.Parameters.Length != 1
                || !SymbolEqualityComparer.Default.Equals(instanceOperator.Parameters[0].Type, compound.Value.Type)
                || ReceiverFor(compound.Target, instanceOperator) is not RefValue target)
            {
                return NotYet(compound, "A user-defined compound assignment operator (an instance operator " + instanceOperator.Name + ") on this target",
                    "write the static operator and v = v + w, or call a method on a struct local");
            }

            InlineCall(compound, instanceOperator, target, new FValue?[] { LowerExpr(compound.Value) }, new RefValue?[1]);
            return LowerExpr(compound.Target);
        }

        if (compound.OperatorMethod is not null && !IsGenericMathMember(compound.OperatorMethod))
        {
            var current0 = LowerExpr(compound.Target);
            var result0 = InlineOperator(compound, compound.OperatorMethod, new[] { current0, LowerExpr(compound.Value) });
            Assign(compound.Target, result0, compound);
            return result0;
        }

        // A property with a set accessor: its getter, then its setter (p.X += 1 is p.X = p.X + 1, p evaluated once).
        bool setter = IsStructSetter(compound.Target, readFirst: true);
        var place = setter ? null : Place(compound.Target);
        var current = NullableDataTakenApart(setter ? LowerExpr(compound.Target) : ReadPlace(place, compound.Target), compound.Target.Type);
        var right = NullableDataTakenApart(LowerExpr(compound.Value), compound.Value.Type);
        var targetType = Concrete(compound.Target.Type!);
        var opType = compound.InConversion.Exists && !compound.InConversion.IsIdentity && compound.InConversion.IsNumeric
            ? OperationType(compound)
            : targetType;
        var left = opType is null || SymbolEqualityComparer.Default.Equals(opType, targetType) ? current : Convert(compound, current, targetType, opType, compound.IsChecked);
        var result = ApplyBinary(compound, compound.OperatorKind, left, right, opType ?? targetType, compound.IsChecked);
        if (opType is not null && !SymbolEqualityComparer.Default.Equals(opType, targetType))
        {
            result = Convert(compound, result, opType, targetType, compound.IsChecked);
        }

        if (setter)
        {
            AssignThroughSetter((IPropertyReferenceOperation)compound.Target, result, compound);
        }
        else
        {
            WritePlace(place, result, compound);
        }

        return result;
    }

    /// <summary>The type a compound assignment computes in (i += 1.5 computes in double, then converts back to int).</summary>
    private ITypeSymbol? OperationType(ICompoundAssignmentOperation compound) =>
        compound.Value.Type is { } vt && IrTypeOf(vt) is { IsReal: true } ? vt : compound.Target.Type;

    private FValue LowerIncrement(IIncrementOrDecrementOperation inc)
    {
        if (inc.OperatorMethod is { IsStatic: true } userOperator && !IsGenericMathMember(userOperator) && HasSource(userOperator)
            && inc.Target is ILocalReferenceOperation or IParameterReferenceOperation && IsStructType(inc.Target.Type))
        {
            // c++ of a struct variable with a static operator ++ (C c) => ...: c = op(c); the value is the old c (postfix)
            // or the new one (prefix).
            var target = Place(inc.Target);
            var old = ReadPlace(target, inc.Target);
            var updated = InlineOperator(inc, userOperator, new[] { old });
            WritePlace(target, updated, inc);
            return inc.IsPostfix ? old : updated;
        }

        if (inc.OperatorMethod is not null && !IsGenericMathMember(inc.OperatorMethod))
        {
            return NotYet(inc, "A user-defined ++ or --", "write x = x + 1");
        }

        bool setter = IsStructSetter(inc.Target, readFirst: true);
        var place = setter ? null : Place(inc.Target);
        var current = setter ? LowerExpr(inc.Target) : ReadPlace(place, inc.Target);
        if (current is not Scalar { Operand: var o })
        {
            return Unsupported(inc, "++ or -- on a struct", "use its fields");
        }

        Operand one = o.Type.IsReal ? new Const(1, o.Type) : new Lit("1", IrType.Int32);
        var kind = inc.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract;
        FValue next;
        if (o.Type.IsInt && o.Type.CSharp != "int")
        {
            // byte, short, long...: computed in the operand's own type.
            next = new Scalar(Emit(kind == BinaryOperatorKind.Add ? Opcode.IAdd : Opcode.ISub, o.Type, new[] { o, new Lit("1", o.Type) }, Overflow(inc.IsChecked), SourceText(inc.Syntax)));
        }
        else
        {
            next = ApplyBinary(inc, kind, current, new Scalar(one), inc.Target.Type!, inc.IsChecked);
        }

        if (setter)
        {
            AssignThroughSetter((IPropertyReferenceOperation)inc.Target, next, inc);
        }
        else
        {
            WritePlace(place, next, inc);
        }

        return inc.IsPostfix ? current : next;
    }

    private void Assign(IOperation target, FValue value, IOperation at)
    {
        switch (target)
        {
            case IDiscardOperation:
                return;
            case ITupleOperation or IDeclarationExpressionOperation:
                AssignDeconstruction(target, value, at);
                return;
        }

        if (IsStructSetter(target))
        {
            AssignThroughSetter((IPropertyReferenceOperation)target, value, at);
            return;
        }

        var place = Place(target);
        WritePlace(place, value, at);
    }

    /// <summary>Where an assignment writes: a variable or ref, an element, a struct field.</summary>
    private object? Place(IOperation target)
    {
        switch (target)
        {
            case ILocalReferenceOperation l:
                return _env.Get(l.Local) is RefValue r ? r : RefValue.ToVariable(l.Local);
            case IParameterReferenceOperation p when _env.Get(p.Parameter) is null && p.Parameter.ContainingSymbol is IMethodSymbol primary && IsPrimaryConstructor(primary):
                return PrimaryParameterPlace(p.Parameter, target);
            case IParameterReferenceOperation p:
                return _env.Get(p.Parameter) is RefValue rp ? rp : RefValue.ToVariable(p.Parameter);
            case IArrayElementReferenceOperation e when ComponentElement(e) is { } element:
                return element;
            case IArrayElementReferenceOperation e:
                var array = LowerScalar(e.ArrayReference);
                if (e.Indices.Length == 1 && e.Indices[0].Type?.Name is "Index")
                {
                    return RefValue.ToElement(array, new[] { IndexFromEnd(e.Indices[0], array) });
                }

                return RefValue.ToElement(array, e.Indices.Select(LowerIndex).ToArray());
            case IImplicitIndexerReferenceOperation ii when ii.Argument.Type?.Name == "Index" && ListElementFromEnd(ii, out var held) is { } fromEnd:
                return RefValue.ToElement(ListStore(held!), fromEnd);
            case IImplicitIndexerReferenceOperation ii when ii.Argument.Type?.Name == "Index":
                var arr = LowerScalar(ii.Instance);
                return RefValue.ToElement(arr, new[] { IndexFromEnd(ii.Argument, arr) });
            case IPropertyReferenceOperation pr when pr.Property.IsIndexer && IsList(pr.Property.ContainingType) && ListElementPlace(pr) is { } listElement:
                return listElement;
            case IPropertyReferenceOperation pr when pr.Property.IsIndexer && pr.Instance?.Type is { } it && TypeMap.IsSpan(it):
                var span = LowerScalar(pr.Instance);
                return RefValue.ToElement(span, pr.Arguments.Select(a => LowerIndex(a.Value)).ToArray());
            case IInstanceReferenceOperation when Function.This is RefValue self:
                return self;
            case IFieldReferenceOperation f when f.Instance is not null && (IsStructType(f.Instance.Type) || TypeMap.IsTuple(f.Instance.Type!)):
                var parent = Place(f.Instance) as RefValue;
                if (parent is null)
                {
                    return null;
                }

                var current = WritableStruct(parent, f.Instance);
                int index = FieldIndex(current, f.Field);
                return index < 0 ? UnwritableMember(target, parent, current) : RefValue.ToField(parent, index);
            case IPropertyReferenceOperation pr when pr.Instance is not null && IsStructType(pr.Instance.Type) && AutoSetterField(pr.Property) is { } backing && Place(pr.Instance) is RefValue:
                var owner = Place(pr.Instance) as RefValue;
                if (owner is null)
                {
                    return null;
                }

                var struct0 = WritableStruct(owner, pr.Instance);
                int fi = FieldIndex(struct0, backing);
                return fi < 0 ? UnwritableMember(target, owner, struct0) : RefValue.ToField(owner, fi);
            case IFieldReferenceOperation f:
                Report(DiagnosticDescriptors.SideEffect, LocationOf(target), SourceText(target.Syntax), "the field '" + f.Field.Name + "'", "return the value instead, or copy the field into a local");
                return null;
            case IPropertyReferenceOperation { Property.IsIndexer: true } pr:
                Report(DiagnosticDescriptors.SideEffect, LocationOf(target), SourceText(target.Syntax), "the indexer of '" + pr.Property.ContainingType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "'",
                    "keep the values in an array the method creates (new double[n]) and write its elements");
                return null;
            case IPropertyReferenceOperation pr:
                Report(DiagnosticDescriptors.SideEffect, LocationOf(target), SourceText(target.Syntax), "the property '" + pr.Property.Name + "'", "return the value instead");
                return null;
            case var _ when IsPointerConstruct(target):
                PointerError(target);
                return null;
            case IInvocationOperation { TargetMethod.ReturnsByRef: true }:
                Unsupported(target, "a write through the ref a method returns", "write the element itself (a[i] += v), or have the helper return the index");
                return null;
            case IInlineArrayAccessOperation inlineArray:
                InlineArrayElement(inlineArray);
                return null;
            default:
                Unsupported(target, "assigning to this", "assign locals, parameters, array elements and fields of struct locals");
                return null;
        }
    }

    /// <summary>
    /// The struct or tuple at a place whose member is written. A copy of data (var p = xs[i]; of a [NoDerivative]
    /// array or list) is taken apart first, each member read as data, so that p.X = w[0] writes the copy's X.
    /// </summary>
    private FValue WritableStruct(RefValue place, IOperation instance)
    {
        var current = ReadRef(place, instance);
        if (place.Array is null && current is Scalar { Operand: { Type.Kind: ValueKind.Data } data } && instance.Type is { } type && DataAsValue(data, type, 0) is { } members)
        {
            WritePlace(place, members, instance);
            return members;
        }

        return current;
    }

    /// <summary>A member write the generator cannot follow: an error at it (never a write silently dropped), unless the struct is already an error.</summary>
    private object? UnwritableMember(IOperation target, RefValue place, FValue current)
    {
        if (current is Scalar { Operand: Poison } || place.Array is Poison)
        {
            return null;
        }

        if (place.Array is not null && current is Scalar { Operand.Type.Kind: ValueKind.Data })
        {
            // xs[i].X = v on a [NoDerivative] array of structs: a write into the caller's data.
            Report(DiagnosticDescriptors.SideEffect, LocationOf(target), SourceText(target.Syntax), "an element of an array the method did not create",
                "copy the element into a local (var p = xs[i]; p.X = ...) and compute with the copy");
        }
        else
        {
            NotYet(target, "Writing a member of this struct", "copy the numbers you need into locals and compute with them");
        }

        return null;
    }

    /// <summary>
    /// An anonymous object (new { X = x[0], Y = 2 * x[1] }, and the objects query syntax builds for 'let' and a second
    /// 'from'): held like a tuple, one value per property in declaration order. Its properties are read-only, so
    /// reading one is reading the value it was made with.
    /// </summary>
    private FValue LowerAnonymousObject(IAnonymousObjectCreationOperation anonymous)
    {
        var properties = AnonymousProperties(anonymous.Type);
        var items = new FValue?[properties.Count];
        foreach (var initializer in anonymous.Initializers)
        {
            int index = initializer is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property: var property } }
                ? AnonymousPropertyIndex(properties, property)
                : -1;
            if (index < 0 || items[index] is not null)
            {
                return Unsupported(initializer, "this member of an anonymous type", "use a tuple, var a = (X: x, Y: 2.0), or a struct");
            }

            items[index] = LowerExpr(((ISimpleAssignmentOperation)initializer).Value);
        }

        for (int i = 0; i < items.Length; i++)
        {
            if (items[i] is null)
            {
                return Unsupported(anonymous, "an anonymous type whose member '" + properties[i].Name + "' has no value here", "use a tuple, var a = (X: x, Y: 2.0), or a struct");
            }
        }

        return new TupleValue(items!);
    }

    private static IReadOnlyList<IPropertySymbol> AnonymousProperties(ITypeSymbol? type)
        => type is null ? Array.Empty<IPropertySymbol>() : type.GetMembers().OfType<IPropertySymbol>().Where(p => !p.IsStatic && !p.IsIndexer).ToArray();

    private static int AnonymousPropertyIndex(IReadOnlyList<IPropertySymbol> properties, IPropertySymbol property)
    {
        for (int i = 0; i < properties.Count; i++)
        {
            if (string.Equals(properties[i].Name, property.Name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static int FieldIndex(FValue value, IFieldSymbol field) => value switch
    {
        StructValue sv => sv.IndexOf(field),
        TupleValue tv => TupleIndex(field, tv.Items.Length),
        _ => -1,
    };

    private static int TupleIndex(IFieldSymbol field, int count)
    {
        var corresponding = field.CorrespondingTupleField ?? field;
        if (corresponding.Name.StartsWith("Item", StringComparison.Ordinal) && int.TryParse(corresponding.Name.Substring(4), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= count)
        {
            return n - 1;
        }

        return -1;
    }

    private FValue ReadPlace(object? place, IOperation at) => place is RefValue r ? ReadRef(r, at) : new Scalar(Poison.Of(IrTypeOrData(at.Type)));

    private void WritePlace(object? place, FValue value, IOperation at)
    {
        if (place is RefValue r)
        {
            if (r.Key is not null && _env.Get(r.Key) is not RefValue)
            {
                // A plain variable: the new value, named after the variable when it is a fresh temporary.
                if (r.Key is ISymbol symbol)
                {
                    Define(symbol, value);
                    return;
                }
            }

            WriteRef(r, value, at);
        }
    }

    /// <param name="sourceType">The C# type of <paramref name="value"/> when known: a tuple or record struct read from data is taken apart by reading its members.</param>
    /// <summary>The places of the element targets of a deconstruction (a[i] in (a[i], b) = …), taken in source order.</summary>
    private void ElementPlaces(IOperation target, Dictionary<IOperation, object?> places)
    {
        switch (target)
        {
            case IDeclarationExpressionOperation d:
                ElementPlaces(d.Expression, places);
                return;
            case ITupleOperation t:
                foreach (var element in t.Elements)
                {
                    ElementPlaces(element, places);
                }

                return;
            default:
                if (IsElementTarget(target))
                {
                    places[target] = Place(target);
                }

                return;
        }
    }

    private void AssignDeconstruction(IOperation target, FValue value, IOperation at, ITypeSymbol? sourceType = null, Dictionary<IOperation, object?>? places = null)
    {
        switch (target)
        {
            case IDeclarationExpressionOperation d:
                AssignDeconstruction(d.Expression, value, at, sourceType, places);
                return;
            case ITupleOperation t:
                var parts = value is Scalar { Operand: { } data } && !data.Type.IsReal && !data.Type.IsArray && data is not Poison && sourceType is not null
                    ? DeconstructData(data, sourceType, t)
                    : null;
                var items = parts?.Items ?? Deconstruct(value, t.Elements.Length, at);
                if (items is null)
                {
                    return;
                }

                for (int i = 0; i < t.Elements.Length; i++)
                {
                    AssignDeconstruction(t.Elements[i], items[i], at, parts?.Types[i], places);
                }

                return;
            case ILocalReferenceOperation { IsDeclaration: true } l:
                Define(l.Local, value);
                return;
            case IDiscardOperation:
                return;
            default:
                if (places is not null && places.TryGetValue(target, out var place))
                {
                    WritePlace(place, value, at);
                    return;
                }

                Assign(target, value, at);
                return;
        }
    }

    /// <summary>
    /// A tuple or a positional record (struct or class) that is data (an element of a [NoDerivative] array) taken apart
    /// into its members, read as data; null when the targets' types are not exactly the members' (a conversion in between).
    /// </summary>
    private (FValue[] Items, ITypeSymbol[] Types)? DeconstructData(Operand data, ITypeSymbol sourceType, ITupleOperation targets)
    {
        var source = Concrete(sourceType);
        int count = targets.Elements.Length;
        string[] members;
        ITypeSymbol[] types;
        if (source is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.Length == count)
        {
            members = Enumerable.Range(1, count).Select(i => "Item" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
            types = tuple.TupleElements.Select(e => Concrete(e.Type)).ToArray();
        }
        else if (source is INamedTypeSymbol { Name: "KeyValuePair", TypeArguments.Length: 2, ContainingNamespace: { } kvNamespace } pair && count == 2
            && kvNamespace.ToDisplayString() == "System.Collections.Generic")
        {
            // foreach (var (j, v) in row) over a [NoDerivative] Dictionary<int, double>: KeyValuePair's Deconstruct.
            members = new[] { "Key", "Value" };
            types = pair.TypeArguments.Select(Concrete).ToArray();
        }
        else if (source is INamedTypeSymbol { IsRecord: true } record
            && record.GetMembers("Deconstruct").OfType<IMethodSymbol>().FirstOrDefault(m => m.IsImplicitlyDeclared && m.Parameters.Length == count && m.Parameters.All(p => p.RefKind == RefKind.Out)) is { } generated
            && generated.Parameters.All(p => record.GetMembers(p.Name).OfType<IPropertySymbol>().Any(q => !q.IsStatic && q.GetMethod is not null && BackingField(q) is not null)))
        {
            // The compiler's Deconstruct of a positional record: out parameters named after its properties.
            members = generated.Parameters.Select(p => p.Name).ToArray();
            types = generated.Parameters.Select(p => Concrete(p.Type)).ToArray();
        }
        else
        {
            return null;
        }

        var items = new FValue[count];
        for (int i = 0; i < count; i++)
        {
            // A nested deconstruction checks its own targets against the member's elements.
            var targetType = targets.Elements[i] is IDiscardOperation or ITupleOperation or IDeclarationExpressionOperation { Expression: ITupleOperation } ? null : targets.Elements[i].Type;
            if (targetType is not null && !SymbolEqualityComparer.Default.Equals(Concrete(targetType), types[i]))
            {
                return null;
            }

            var irType = IrTypeOf(types[i]) ?? IrType.Data(types[i].ToDisplayString(TypeMap.Qualified));
            items[i] = new Scalar(Emit(Opcode.Opaque, irType, new[] { data }, new OpaqueInfo(new[] { string.Empty, "." + members[i] }, pure: true, effectFree: true)));
        }

        return (items, types);
    }

    private static bool SameButForTupleNames(ITypeSymbol a, ITypeSymbol b) =>
        a is INamedTypeSymbol { IsTupleType: true } ta && b is INamedTypeSymbol { IsTupleType: true } tb
            ? ta.TupleElements.Length == tb.TupleElements.Length && ta.TupleElements.Zip(tb.TupleElements, (x, y) => SameButForTupleNames(x.Type, y.Type)).All(same => same)
            : SymbolEqualityComparer.Default.Equals(a, b);

    private FValue[]? Deconstruct(FValue value, int count, IOperation at)
    {
        switch (value)
        {
            case TupleValue tv when tv.Items.Length == count:
                return tv.Items;
            case StructValue sv when sv.Type is INamedTypeSymbol named:
                var deconstruct = named.GetMembers("Deconstruct").OfType<IMethodSymbol>().FirstOrDefault(m => m.Parameters.Length == count && m.Parameters.All(p => p.RefKind == RefKind.Out));
                if (deconstruct is not null && deconstruct.IsImplicitlyDeclared && named.IsRecord)
                {
                    return RecordDeconstruct(deconstruct, sv, at);
                }

                if (deconstruct is not null)
                {
                    return InlineDeconstruct(deconstruct, sv, at);
                }

                break;
        }

        Unsupported(at, "deconstructing this value", "deconstruct tuples, records and structs with an instance Deconstruct method (an extension Deconstruct is not followed), or read the members one by one (var a = s.A;)");
        return null;
    }

    /// <summary>The compiler's Deconstruct of a positional record struct: each out parameter is the member of its name.</summary>
    private FValue[]? RecordDeconstruct(IMethodSymbol deconstruct, StructValue sv, IOperation at)
    {
        var items = new FValue[deconstruct.Parameters.Length];
        for (int i = 0; i < items.Length; i++)
        {
            var name = deconstruct.Parameters[i].Name;
            var member = sv.Type.GetMembers(name).FirstOrDefault(m => !m.IsStatic && m is IFieldSymbol or IPropertySymbol);
            var field = member switch
            {
                IFieldSymbol f => f,
                IPropertySymbol p => AutoGetterField(p),
                _ => null,
            };
            if (field is not null && sv.IndexOf(field) is var k && k >= 0)
            {
                items[i] = sv.Values[k];
            }
            else if (member is IPropertySymbol { GetMethod: { } getter } && HasSource(getter) && !getter.IsVirtual && !getter.IsAbstract && !getter.IsOverride)
            {
                items[i] = InlineCall(at, getter, sv, Array.Empty<FValue?>(), Array.Empty<RefValue?>());
            }
            else
            {
                Unsupported(at, "deconstructing this record struct (its member " + name + " is not a field or a property the generator can read)", "read the members by name");
                return null;
            }
        }

        return items;
    }

    private FValue DefaultValue(ITypeSymbol type, IOperation at) => ZeroOf(Concrete(type), at);

    /// <summary>The zero value of a type: 0, false, null, or a struct of zeros.</summary>
    private FValue ZeroOf(ITypeSymbol type, IOperation at)
    {
        type = Concrete(type);
        if (TypeMap.IsNullableValue(type, out var u))
        {
            return new NullableValue(Lit.False, ZeroOf(u, at));
        }

        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            return new TupleValue(tuple.TupleElements.Select(e => ZeroOf(e.Type, at)).ToArray());
        }

        if (IsStructType(type))
        {
            var fields = TypeMap.StructFields(type);
            return new StructValue(type, fields, fields.Select(f => ZeroOf(f.Type, at)).ToArray());
        }

        var ir = IrTypeOrData(type);
        return new Scalar(DefaultOf(ir.Kind == ValueKind.Data && type.IsReferenceType ? ir : ir) is Lit { Text: "default" } && type.IsReferenceType ? new Lit("null", ir) : DefaultOf(ir));
    }

    private bool IsStructType(ITypeSymbol? type) => type is not null && TypeMap.IsDesugaredStruct(Concrete(type));
}
