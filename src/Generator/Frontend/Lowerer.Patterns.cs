using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymbolicGrad.Generator.Diagnostics;
using SymbolicGrad.Generator.Ir;

namespace SymbolicGrad.Generator.Frontend;

/// <summary>Patterns, switch statements and switch expressions: conditions and if/else chains.</summary>
internal sealed partial class Lowerer
{
    private Operand LowerIsPattern(IIsPatternOperation op)
    {
        // A double? read as data (x[i] of a double?[]) is tested as a nullable parameter is: x[i] is double v, is null.
        var value = NullableDataTakenApart(LowerExpr(op.Value), op.Value.Type);
        return Match(op.Pattern, value, op.Value.Type);
    }

    /// <summary>Does the value match the pattern? Binds the pattern's variables. Patterns read values only, so both sides of and/or are evaluated.</summary>
    private Operand Match(IPatternOperation pattern, FValue input, ITypeSymbol? inputType)
    {
        if (!Enter(pattern))
        {
            return Lit.False;
        }

        try
        {
            return MatchCore(pattern, input, inputType);
        }
        finally
        {
            Leave();
        }
    }

    private Operand MatchCore(IPatternOperation pattern, FValue input, ITypeSymbol? inputType)
    {
        if (input is NullableValue n)
        {
            // A pattern on a nullable number: null matches only null and not-patterns; otherwise match the value.
            if (pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } })
            {
                return Emit(Opcode.Not, IrType.Bool, new[] { n.HasValue });
            }

            if (pattern is INegatedPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } })
            {
                return n.HasValue;
            }

            if (pattern is INegatedPatternOperation neg)
            {
                var inner = Match(neg.Pattern, input, inputType);
                return Emit(Opcode.Not, IrType.Bool, new[] { inner });
            }

            if (pattern is IBinaryPatternOperation bin)
            {
                var l = Match(bin.LeftPattern, input, inputType);
                var r = Match(bin.RightPattern, input, inputType);
                return Emit(bin.OperatorKind == BinaryOperatorKind.Or ? Opcode.Or : Opcode.And, IrType.Bool, new[] { l, r });
            }

            var underlying = inputType is not null && TypeMap.IsNullableValue(inputType, out var u) ? u : inputType;
            var m = Match(pattern, n.Value, underlying);
            return Emit(Opcode.And, IrType.Bool, new[] { n.HasValue, m });
        }

        switch (pattern)
        {
            case IConstantPatternOperation c:
                {
                    var constant = LowerExpr(c.Value);
                    if (input is Scalar { Operand: var o } && constant is Scalar { Operand: var k })
                    {
                        if (k is Const kc && double.IsNaN(kc.Value) && o.Type.IsReal)
                        {
                            return Emit(Opcode.Opaque, IrType.Bool, new[] { o }, new OpaqueInfo(new[] { o.Type.CSharp + ".IsNaN(", ")" }, pure: true, effectFree: true) { Step = true });
                        }

                        if (o.Type.IsReal && !k.Type.IsReal)
                        {
                            k = ToReal(k, o.Type);
                        }

                        if (o is Lit { Text: "null" or "default" } && o.Type.Kind is ValueKind.Data or ValueKind.Array && k is Lit { Text: "null" or "default" })
                        {
                            // A reference known to be null (double[]? b = null; b is null): true, never printed
                            // ("default == default" does not compile).
                            return Lit.True;
                        }

                        if (o.Type.Kind == ValueKind.Data && k is Lit { Text: "null" })
                        {
                            return Emit(Opcode.Opaque, IrType.Bool, new[] { o }, new OpaqueInfo(new[] { "(", " is null)" }, pure: true, effectFree: true));
                        }

                        return Emit(Opcode.Cmp, IrType.Bool, new[] { o, k }, CmpKind.Eq);
                    }

                    Unsupported(pattern, "this constant pattern", "compare numbers with constants");
                    return Lit.False;
                }

            case IRelationalPatternOperation r:
                {
                    var bound = LowerExpr(r.Value);
                    if (input is Scalar { Operand: var o } && bound is Scalar { Operand: var k })
                    {
                        if (o.Type.IsReal && !k.Type.IsReal)
                        {
                            k = ToReal(k, o.Type);
                        }

                        var kind = r.OperatorKind switch
                        {
                            BinaryOperatorKind.LessThan => CmpKind.Lt,
                            BinaryOperatorKind.LessThanOrEqual => CmpKind.Le,
                            BinaryOperatorKind.GreaterThan => CmpKind.Gt,
                            BinaryOperatorKind.GreaterThanOrEqual => CmpKind.Ge,
                            BinaryOperatorKind.Equals => CmpKind.Eq,
                            _ => CmpKind.Ne,
                        };
                        return Emit(Opcode.Cmp, IrType.Bool, new[] { o, k }, kind);
                    }

                    Unsupported(pattern, "this relational pattern", "compare numbers");
                    return Lit.False;
                }

            case INegatedPatternOperation neg:
                return Emit(Opcode.Not, IrType.Bool, new[] { Match(neg.Pattern, input, inputType) });
            case IBinaryPatternOperation bin:
                {
                    var l = Match(bin.LeftPattern, input, inputType);
                    var (rightInput, rightType) = (input, inputType);
                    if (bin.OperatorKind == BinaryOperatorKind.And && bin.RightPattern.InputType is { } narrowed && inputType is not null
                        && !SymbolEqualityComparer.Default.Equals(Concrete(narrowed), Concrete(inputType)) && input is Scalar { Operand: { Type.Kind: ValueKind.Data } o })
                    {
                        // o is int k and > 2: the right pattern matches the value the left one narrowed to (it compared
                        // the object itself, which did not compile; red-team).
                        var narrowedType = Concrete(narrowed).IsValueType ? IrTypeOf(narrowed) : IrTypeOrData(narrowed);
                        if (narrowedType is null || narrowedType.IsReal)
                        {
                            Unsupported(bin.RightPattern, "a pattern on a number unboxed by the pattern before it", "keep numbers typed as double, or test the type first and compare the value after");
                            return Lit.False;
                        }

                        string type = Concrete(narrowed).ToDisplayString(TypeMap.Qualified);
                        rightInput = new Scalar(Emit(Opcode.Opaque, narrowedType, new[] { o }, new OpaqueInfo(
                            Concrete(narrowed).IsValueType ? new[] { "(", " as " + type + "?).GetValueOrDefault()" } : new[] { "(", " as " + type + ")" }, pure: true, effectFree: true)));
                        rightType = narrowed;
                    }

                    var r = Match(bin.RightPattern, rightInput, rightType);
                    return Emit(bin.OperatorKind == BinaryOperatorKind.Or ? Opcode.Or : Opcode.And, IrType.Bool, new[] { l, r });
                }

            case IDiscardPatternOperation:
                return Lit.True;
            case IDeclarationPatternOperation d:
                if (d.MatchesNull || IsSameTypeOrValue(d.MatchedType, inputType))
                {
                    if (d.DeclaredSymbol is { } symbol)
                    {
                        Define(symbol, input);
                    }

                    return Lit.True;
                }

                return TypeTest(pattern, input, d.MatchedType, d.DeclaredSymbol);
            case ITypePatternOperation t:
                return IsSameTypeOrValue(t.MatchedType, inputType) ? Lit.True : TypeTest(pattern, input, t.MatchedType, null);
            case IRecursivePatternOperation rp:
                return MatchRecursive(rp, input, inputType);
            case IListPatternOperation list:
                return MatchList(list, input, inputType);
            default:
                Unsupported(pattern, "this pattern", "use constant, relational, and/or/not, declaration and property patterns on numbers, structs and tuples");
                return Lit.False;
        }
    }

    private static bool IsSameTypeOrValue(ITypeSymbol? matched, ITypeSymbol? input) =>
        matched is null || input is null || SymbolEqualityComparer.Default.Equals(matched, input) || (input.IsValueType && SymbolEqualityComparer.Default.Equals(matched, input));

    /// <summary>x is T on data: printed as written; binding the value is allowed only for data.</summary>
    private Operand TypeTest(IPatternOperation pattern, FValue input, ITypeSymbol? matched, ISymbol? declared)
    {
        if (input is not Scalar { Operand: var o } || o.Type.Kind != ValueKind.Data || matched is null)
        {
            Unsupported(pattern, "a type test on this value", "type tests apply to data (objects)");
            return Lit.False;
        }

        string type = Concrete(matched).ToDisplayString(TypeMap.Qualified);
        var test = Emit(Opcode.Opaque, IrType.Bool, new[] { o }, new OpaqueInfo(new[] { "(", " is " + type + ")" }, pure: true, effectFree: true));
        if (declared is not null)
        {
            var irType = IrTypeOf(matched);
            if (irType is null || irType.IsReal)
            {
                Unsupported(pattern, irType is null ? "binding a value of this type unboxed from an object" : "unboxing a number with a pattern",
                    irType is null ? "keep the value typed as its own type (a parameter or local of that type)" : "keep numbers typed as double");
                return Lit.False;
            }

            // A value type cannot follow as (o is int k printed as o as int did not compile, red-team): as T? and its value
            // or default, which is the value wherever the test holds, and never throws where it does not.
            var cast = Emit(Opcode.Opaque, irType, new[] { o }, new OpaqueInfo(
                Concrete(matched).IsValueType ? new[] { "(", " as " + type + "?).GetValueOrDefault()" } : new[] { "(", " as " + type + ")" }, pure: true, effectFree: true));
            Define(declared, new Scalar(cast));
        }

        return test;
    }

    /// <summary>
    /// The member a property subpattern matches: a field, an auto-property or a computed property (its getter inlined)
    /// of the input, or of a member of it in an extended pattern ({ A.X: > 1 }); null when it is none of those.
    /// </summary>
    private FValue? PatternMember(IOperation member, FValue input, int depth)
    {
        var owner = input;
        if (member is IMemberReferenceOperation { Instance: { } instance } && instance is not IInstanceReferenceOperation)
        {
            if (depth > 16 || PatternMember(instance, input, depth + 1) is not { } inner)
            {
                return null;
            }

            owner = inner;
        }

        switch (member)
        {
            case IFieldReferenceOperation f:
                int k = FieldIndex(owner, f.Field);
                return k < 0 ? null : owner is StructValue sv ? sv.Values[k] : owner is TupleValue tv ? tv.Items[k] : null;
            case IPropertyReferenceOperation { Property.IsIndexer: false } p when owner is StructValue sv2:
                if (AutoGetterField(p.Property) is { } backing)
                {
                    int bi = sv2.IndexOf(backing);
                    return bi < 0 ? null : sv2.Values[bi];
                }

                return InlinableAccessor(p.Property.GetMethod) is { } getter ? InlineCall(p, getter, sv2, Array.Empty<FValue?>(), Array.Empty<RefValue?>()) : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// [p0, p1, .., q0] on an array or span: not null (an array), a length test, then each element pattern on the element
    /// at its position (from the start before the slice, from the end after it), read only once the length is known to
    /// hold it.
    /// </summary>
    private Operand MatchList(IListPatternOperation list, FValue input, ITypeSymbol? inputType)
    {
        if (input is not Scalar { Operand: var array } || !array.Type.IsVector || inputType is null || TypeMap.VectorElement(Concrete(inputType)) is not { } elementType)
        {
            Unsupported(list, "a list pattern on this value", "use list patterns on arrays and spans of numbers");
            return Lit.False;
        }

        if (array is Poison)
        {
            return Lit.False;
        }

        // A C# array may be null (the pattern then fails); the generator holds arrays as arrays, spans as spans.
        bool mayBeNull = Concrete(inputType) is IArrayTypeSymbol;
        if (mayBeNull != (array.Type.Form == ArrayForm.Array))
        {
            Unsupported(list, "a list pattern on this value", "use list patterns on arrays and spans of numbers");
            return Lit.False;
        }

        int slice = -1;
        for (int i = 0; i < list.Patterns.Length; i++)
        {
            if (list.Patterns[i] is ISlicePatternOperation s)
            {
                if (s.Pattern is not null and not IDiscardPatternOperation)
                {
                    Unsupported(s, "a slice pattern that matches the slice", "match the elements you need, and take the slice with a[i..j] in the body");
                    return Lit.False;
                }

                slice = i;
            }
        }

        int count = list.Patterns.Length - (slice >= 0 ? 1 : 0);
        var key = new SyntheticKey("matches");
        Bind(key, new Scalar(Lit.False));
        Flow MatchElements()
        {
            var length = Emit(Opcode.Length, IrType.Int32, new[] { array });
            var fits = Emit(Opcode.Cmp, IrType.Bool, new[] { length, Lit.Int(count) }, slice >= 0 ? CmpKind.Ge : CmpKind.Eq);
            EmitIf(fits, () =>
            {
                Operand all = Lit.True;
                for (int i = 0; i < list.Patterns.Length; i++)
                {
                    if (i == slice)
                    {
                        continue;
                    }

                    var index = slice < 0 || i < slice ? (Operand)Lit.Int(i) : Emit(Opcode.ISub, IrType.Int32, new[] { length, Lit.Int(list.Patterns.Length - i) });
                    var element = Load(array, new[] { index }, list.Patterns[i]);
                    all = Emit(Opcode.And, IrType.Bool, new[] { all, Match(list.Patterns[i], new Scalar(element), elementType) });
                }

                Bind(key, new Scalar(all));
                return Flow.Normal;
            }, () => Flow.Normal);
            return Flow.Normal;
        }

        if (mayBeNull)
        {
            var notNull = NotNull(array);
            EmitIf(notNull, MatchElements, () => Flow.Normal);
        }
        else
        {
            MatchElements();
        }

        var result = _env.Get(key) is Scalar { Operand: var matched } ? matched : Lit.False;
        _env.Remove(key);
        if (list.DeclaredSymbol is { } symbol)
        {
            Define(symbol, input);
        }

        return result;
    }

    /// <summary>
    /// { Length: > 2 } on an array or span, { Length: > 3 } on a string or another object of data: the members are
    /// read (an array's Length; a data object's properties of types that carry no derivative) once the value is known
    /// not to be null, as C# does.
    /// </summary>
    private Operand? MatchMembersOfAnObject(IRecursivePatternOperation rp, FValue input, ITypeSymbol? inputType)
    {
        if (input is not Scalar { Operand: var o } || o is Poison || !(o.Type.IsVector || o.Type.Kind == ValueKind.Data) || inputType is null
            || (rp.PropertySubpatterns.Length == 0 && rp.DeconstructionSubpatterns.Length == 0))
        {
            return null;
        }

        // A positional pattern on a positional record that is data (p is (> 0, var y) for record Pt(double X, double Y)):
        // the compiler's Deconstruct reads the properties its out parameters are named after.
        var positional = new List<(IPropertySymbol Property, IPatternOperation Pattern)>();
        if (rp.DeconstructionSubpatterns.Length > 0)
        {
            if (o.Type.IsVector || Concrete(inputType) is not INamedTypeSymbol { IsRecord: true } record
                || rp.DeconstructSymbol is not IMethodSymbol { IsImplicitlyDeclared: true } deconstruct
                || deconstruct.Parameters.Length != rp.DeconstructionSubpatterns.Length)
            {
                return null;
            }

            for (int i = 0; i < deconstruct.Parameters.Length; i++)
            {
                var property = record.GetMembers(deconstruct.Parameters[i].Name).OfType<IPropertySymbol>()
                    .FirstOrDefault(q => !q.IsStatic && q.GetMethod is not null && Accessible(q.GetMethod) && BackingField(q) is not null
                        && (CarriesNoDerivative(q.Type) || TypeMap.IsRealSymbol(q.Type)));
                if (property is null)
                {
                    return null;
                }

                positional.Add((property, rp.DeconstructionSubpatterns[i]));
            }
        }

        foreach (var sub in rp.PropertySubpatterns)
        {
            bool readable = sub.Member is IPropertyReferenceOperation { Property: { IsIndexer: false, IsStatic: false, GetMethod: not null } property }
                && (o.Type.IsVector ? property.Name == "Length" : CarriesNoDerivative(property.Type) && Accessible(property.GetMethod!));
            if (!readable)
            {
                return null;
            }
        }

        var key = new SyntheticKey("matches");
        Bind(key, new Scalar(Lit.False));
        Flow MatchMembers()
        {
            Operand all = Lit.True;
            foreach (var (property, pattern) in positional)
            {
                var value = Emit(Opcode.Opaque, IrTypeOrData(property.Type), new[] { o }, new OpaqueInfo(new[] { string.Empty, "." + SyntaxFactsEscape(property.Name) }, pure: false, effectFree: true));
                all = Emit(Opcode.And, IrType.Bool, new[] { all, Match(pattern, new Scalar(value), property.Type) });
            }

            foreach (var sub in rp.PropertySubpatterns)
            {
                var property = ((IPropertyReferenceOperation)sub.Member).Property;
                var value = o.Type.IsVector
                    ? Emit(Opcode.Length, IrType.Int32, new[] { o })
                    : Emit(Opcode.Opaque, IrTypeOrData(property.Type), new[] { o }, new OpaqueInfo(new[] { string.Empty, "." + SyntaxFactsEscape(property.Name) }, pure: false, effectFree: true));
                all = Emit(Opcode.And, IrType.Bool, new[] { all, Match(sub.Pattern, new Scalar(value), property.Type) });
            }

            Bind(key, new Scalar(all));
            return Flow.Normal;
        }

        if (Concrete(inputType).IsReferenceType)
        {
            var notNull = NotNull(o);
            EmitIf(notNull, MatchMembers, () => Flow.Normal);
        }
        else
        {
            MatchMembers();
        }

        var result = _env.Get(key) is Scalar { Operand: var matched } ? matched : Lit.False;
        _env.Remove(key);
        if (rp.DeclaredSymbol is { } symbol)
        {
            Define(symbol, input);
        }

        return result;
    }

    private static string SyntaxFactsEscape(string name) =>
        Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) != Microsoft.CodeAnalysis.CSharp.SyntaxKind.None ? "@" + name : name;

    private Operand MatchRecursive(IRecursivePatternOperation rp, FValue input, ITypeSymbol? inputType)
    {
        if (MatchMembersOfAnObject(rp, input, inputType) is { } members)
        {
            return members;
        }

        Operand all = Lit.True;
        if (input is Scalar { Operand: { Type.Kind: ValueKind.Data } data } && rp.PropertySubpatterns.Length == 0 && rp.DeconstructionSubpatterns.Length == 0)
        {
            all = NotNull(data);
        }
        else if (input is Scalar { Operand: not Poison } && rp.PropertySubpatterns.Length == 0 && rp.DeconstructionSubpatterns.Length == 0
            && inputType is { IsValueType: true } && !TypeMap.IsNullableValue(inputType, out _))
        {
            // { } (or { } v) on a number: always matches (on a double? it is reached through HasValue above).
        }
        else if (input is not (StructValue or TupleValue))
        {
            Unsupported(rp, "a property or positional pattern on this value", "use property patterns on structs and tuples");
            return Lit.False;
        }

        // A positional pattern on a struct: its Deconstruct (the compiler's, for a positional record struct).
        FValue[]? deconstructed = null;
        if (rp.DeconstructionSubpatterns.Length > 0 && input is StructValue ds && rp.DeconstructSymbol is IMethodSymbol deconstruct)
        {
            deconstructed = deconstruct.IsImplicitlyDeclared && ds.Type.IsRecord ? RecordDeconstruct(deconstruct, ds, rp) : InlineDeconstruct(deconstruct, ds, rp);
            if (deconstructed is null)
            {
                return Lit.False;
            }
        }

        for (int i = 0; i < rp.DeconstructionSubpatterns.Length; i++)
        {
            FValue? item = input is TupleValue tv && i < tv.Items.Length ? tv.Items[i] : deconstructed is not null && i < deconstructed.Length ? deconstructed[i] : null;
            if (item is null)
            {
                Unsupported(rp, "a positional pattern on this value", "use positional patterns on tuples and structs with a Deconstruct method");
                return Lit.False;
            }

            all = Emit(Opcode.And, IrType.Bool, new[] { all, Match(rp.DeconstructionSubpatterns[i], item, null) });
        }

        foreach (var sub in rp.PropertySubpatterns)
        {
            var member = PatternMember(sub.Member, input, 0);
            if (member is null)
            {
                Unsupported(sub, "this property pattern", "match fields and properties of structs and tuples");
                return Lit.False;
            }

            all = Emit(Opcode.And, IrType.Bool, new[] { all, Match(sub.Pattern, member, sub.Member.Type) });
        }

        if (rp.DeclaredSymbol is { } symbol)
        {
            Define(symbol, input);
        }

        return all;
    }

    // ---------------------------------------------------------------------------------------------------------
    // switch

    private Flow LowerSwitch(ISwitchOperation sw)
    {
        var value = NullableDataTakenApart(LowerExpr(sw.Value), sw.Value.Type);
        var frame = new Frame(FrameKind.Switch) { ExitLabel = sw.ExitLabel };
        var sections = sw.Cases.ToList();
        bool needsSkip = false;
        foreach (var section in sections)
        {
            var body = TrimTrailingBreak(section.Body, sw.ExitLabel);
            foreach (var statement in body)
            {
                foreach (var d in DescendantsInBody(statement))
                {
                    if (d is IReturnOperation || (d is IBranchOperation b && (SymbolEqualityComparer.Default.Equals(b.Target, sw.ExitLabel) || b.BranchKind == BranchKind.Continue)))
                    {
                        needsSkip = true;
                    }
                }
            }
        }

        if (needsSkip)
        {
            frame.Skip = new SyntheticKey("skip");
            Bind(frame.Skip, new Scalar(Lit.False));
        }

        var ordinary = sections.Where(s => !s.Clauses.Any(c => c is IDefaultCaseClauseOperation)).ToList();
        var @default = sections.FirstOrDefault(s => s.Clauses.Any(c => c is IDefaultCaseClauseOperation));
        if (TooManyBranches(sw, ordinary.Count))
        {
            return Flow.Normal;
        }

        _frames.Add(frame);
        Flow flow;
        try
        {
            flow = LowerSections(sw, value, ordinary, 0, @default);
        }
        finally
        {
            _frames.RemoveAt(_frames.Count - 1);
        }

        if (frame.Skip is not null)
        {
            _env.Remove(frame.Skip);
        }

        // A break out of the switch is not a jump for what follows it; return, continue and throw are.
        bool escapes = sections.Any(s => s.Body.Any(op => DescendantsInBody(op).Any(d => d is IReturnOperation || (d is IBranchOperation b && b.BranchKind == BranchKind.Continue))));
        if (flow == Flow.Throw || escapes)
        {
            return flow;
        }

        return Flow.Normal;
    }

    /// <summary>
    /// A switch becomes one branch nested in the last per section: past <see cref="MaxDepth"/> levels with what encloses
    /// it, SG0019 at the switch, as for an else-if chain that long (a 2,000-case switch generated 192 MB of code in 24 s,
    /// and the lowering recursed once per section; red-team K).
    /// </summary>
    private bool TooManyBranches(IOperation sw, int sections)
    {
        if (_depth + sections <= MaxDepth)
        {
            return false;
        }

        if (!_tooDeep)
        {
            _tooDeep = true;
            Report(DiagnosticDescriptors.TooComplex, LocationOf(sw), EntryName,
                "this switch has " + sections.ToString(CultureInfo.InvariantCulture) + " sections, which the generated code nests one in another (at most "
                + MaxDepth.ToString(CultureInfo.InvariantCulture) + " levels with what encloses it; a lookup in an array indexed by the case needs none)");
        }

        return true;
    }

    private Flow LowerSections(ISwitchOperation sw, FValue value, List<ISwitchCaseOperation> sections, int index, ISwitchCaseOperation? @default)
    {
        if (index == sections.Count)
        {
            return @default is null ? Flow.Normal : LowerList(TrimTrailingBreak(@default.Body, sw.ExitLabel), 0);
        }

        var section = sections[index];
        Operand cond = Lit.False;
        foreach (var clause in section.Clauses)
        {
            Operand c = clause switch
            {
                IPatternCaseClauseOperation p => p.Guard is null
                    ? Match(p.Pattern, value, sw.Value.Type)
                    : ShortCircuit(Match(p.Pattern, value, sw.Value.Type), true, () => LowerCondition(p.Guard)),
                ISingleValueCaseClauseOperation s => SingleValueMatch(s, value),
                _ => ReportClause(clause),
            };
            cond = Emit(Opcode.Or, IrType.Bool, new[] { cond, c });
        }

        var (a, b) = EmitIf(cond, () => LowerList(TrimTrailingBreak(section.Body, sw.ExitLabel), 0), () => LowerSections(sw, value, sections, index + 1, @default));
        return Join(a, b);
    }

    private Operand SingleValueMatch(ISingleValueCaseClauseOperation s, FValue value)
    {
        var k = LowerExpr(s.Value);
        if (value is Scalar { Operand: var o } && k is Scalar { Operand: var c })
        {
            if (o.Type.IsReal && !c.Type.IsReal)
            {
                c = ToReal(c, o.Type);
            }

            return Emit(Opcode.Cmp, IrType.Bool, new[] { o, c }, CmpKind.Eq);
        }

        Unsupported(s, "this case", "switch on numbers, bools or data");
        return Lit.False;
    }

    private Operand ReportClause(ICaseClauseOperation clause)
    {
        Unsupported(clause, "this case clause", "use case patterns and constants");
        return Lit.False;
    }

    private static List<IOperation> TrimTrailingBreak(IReadOnlyList<IOperation> body, ILabelSymbol exit)
    {
        var list = new List<IOperation>(body);
        while (list.Count > 0 && list[list.Count - 1] is IBlockOperation block)
        {
            list.RemoveAt(list.Count - 1);
            list.AddRange(block.Operations);
        }

        if (list.Count > 0 && list[list.Count - 1] is IBranchOperation { BranchKind: BranchKind.Break } br && SymbolEqualityComparer.Default.Equals(br.Target, exit))
        {
            list.RemoveAt(list.Count - 1);
        }

        return list;
    }

    private FValue LowerSwitchExpression(ISwitchExpressionOperation sw)
    {
        var value = NullableDataTakenApart(LowerExpr(sw.Value), sw.Value.Type);
        if (TooManyBranches(sw, sw.Arms.Length))
        {
            return new Scalar(Poison.Of(IrTypeOrData(sw.Type)));
        }

        var key = new SyntheticKey("choice");
        LowerArms(sw, value, 0, key);
        var result = _env.Get(key) ?? new Scalar(Poison.Of(IrTypeOrData(sw.Type)));
        _env.Remove(key);
        return result;
    }

    private void LowerArms(ISwitchExpressionOperation sw, FValue value, int index, SyntheticKey key)
    {
        if (index == sw.Arms.Length)
        {
            // No arm matched: the exception C# throws.
            _block.Add(new Throw(new Instr(Opcode.Opaque, IrType.Object, Array.Empty<Operand>(),
                new OpaqueInfo(new[] { "new global::System.Runtime.CompilerServices.SwitchExpressionException()" }, pure: false, effectFree: false))));
            Bind(key, ZeroOf(sw.Type!, sw));
            _env.Dead = true;
            return;
        }

        var arm = sw.Arms[index];
        if (arm.Pattern is IDiscardPatternOperation && arm.Guard is null)
        {
            Bind(key, LowerExpr(arm.Value));
            return;
        }

        var m = Match(arm.Pattern, value, sw.Value.Type);
        var cond = arm.Guard is null ? m : ShortCircuit(m, true, () => LowerCondition(arm.Guard));
        EmitIf(cond, () =>
        {
            Bind(key, LowerExpr(arm.Value));
            return Flow.Normal;
        }, () =>
        {
            LowerArms(sw, value, index + 1, key);
            return _env.Dead ? Flow.Throw : Flow.Normal;
        });
    }
}
