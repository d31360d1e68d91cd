//! The standard metric catalogue: every datapoint Tierlink knows how to ask a
//! supplier for (emissions, energy, water, waste, product carbon footprints,
//! CBAM communication data, reduction targets, due-diligence answers), with
//! its stable code, English and Korean labels and guidance, the kind of value
//! it expects (and, for quantities, the physical dimension and the units a
//! supplier may report in), and where each framework asks for it.
//!
//! The catalogue is static and versioned by [`CATALOGUE_VERSION`]; codes are
//! stable and never reused. Framework references are pointers for people
//! (which paragraph or template field a value feeds), not legal citations.

/// Version of the standard catalogue. Bump when metrics are added or their
/// meaning changes; existing codes are never repurposed.
pub const CATALOGUE_VERSION: &str = "2026.1";

/// A reporting framework or regulation that asks for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framework {
    /// GHG Protocol Corporate, Scope 2 and Scope 3 (and Product) standards.
    GhgProtocol,
    /// European Sustainability Reporting Standards (CSRD).
    Esrs,
    /// EU Carbon Border Adjustment Mechanism, Regulation (EU) 2023/956.
    Cbam,
    /// Korea's K-ESG guideline.
    Kesg,
    /// WBCSD Partnership for Carbon Transparency (PCF exchange).
    Pact,
    /// EU Corporate Sustainability Due Diligence Directive (EU) 2024/1760.
    Csddd,
}

impl Framework {
    pub const ALL: [Self; 6] = [
        Self::GhgProtocol,
        Self::Esrs,
        Self::Cbam,
        Self::Kesg,
        Self::Pact,
        Self::Csddd,
    ];

    /// The stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GhgProtocol => "ghg_protocol",
            Self::Esrs => "esrs",
            Self::Cbam => "cbam",
            Self::Kesg => "k_esg",
            Self::Pact => "pact",
            Self::Csddd => "csddd",
        }
    }

    /// The inverse of [`Framework::as_str`]; exact match.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|framework| framework.as_str() == input)
    }
}

/// Where one framework asks for a metric, e.g. `(Esrs, "E1-6 §44")`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameworkRef {
    pub framework: Framework,
    pub reference: &'static str,
}

/// The physical dimension of a quantity, fixing its canonical unit and the
/// units a supplier may report it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Greenhouse-gas emissions; canonical tCO2e.
    Emissions,
    /// Energy; canonical MWh.
    Energy,
    /// Mass; canonical t.
    Mass,
    /// Volume; canonical m3.
    Volume,
    /// Emissions per tonne of product (CBAM specific embedded emissions).
    EmissionsPerMass,
    /// Energy per tonne of product (CBAM electricity consumed).
    EnergyPerMass,
    /// Emission factor of energy (CBAM electricity emission factor).
    EmissionsPerEnergy,
    /// A carbon price per tonne of emissions.
    CarbonPrice,
    /// Emissions per declared unit of a product (PCF).
    EmissionsPerUnit,
}

impl Dimension {
    pub const ALL: [Self; 9] = [
        Self::Emissions,
        Self::Energy,
        Self::Mass,
        Self::Volume,
        Self::EmissionsPerMass,
        Self::EnergyPerMass,
        Self::EmissionsPerEnergy,
        Self::CarbonPrice,
        Self::EmissionsPerUnit,
    ];

    /// The stable wire name (snake_case).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Emissions => "emissions",
            Self::Energy => "energy",
            Self::Mass => "mass",
            Self::Volume => "volume",
            Self::EmissionsPerMass => "emissions_per_mass",
            Self::EnergyPerMass => "energy_per_mass",
            Self::EmissionsPerEnergy => "emissions_per_energy",
            Self::CarbonPrice => "carbon_price",
            Self::EmissionsPerUnit => "emissions_per_unit",
        }
    }

    /// The inverse of [`Dimension::as_str`]; exact match.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|dimension| dimension.as_str() == input)
    }

    /// The unit values are converted to and stored in.
    pub fn canonical_unit(self) -> &'static str {
        self.accepted_units()[0]
    }

    /// The units a supplier may report in, canonical first.
    pub fn accepted_units(self) -> &'static [&'static str] {
        match self {
            Self::Emissions => &["tCO2e", "kgCO2e", "gCO2e"],
            Self::Energy => &["MWh", "kWh", "GJ", "TJ"],
            Self::Mass => &["t", "kg"],
            Self::Volume => &["m3", "L"],
            Self::EmissionsPerMass => &["tCO2e/t", "kgCO2e/t", "kgCO2e/kg"],
            Self::EnergyPerMass => &["MWh/t", "kWh/t"],
            Self::EmissionsPerEnergy => &["tCO2/MWh", "kgCO2/MWh", "kgCO2/kWh"],
            Self::CarbonPrice => &["EUR/tCO2e"],
            Self::EmissionsPerUnit => &["kgCO2e/unit", "tCO2e/unit", "gCO2e/unit"],
        }
    }
}

/// One allowed answer of a [`ValueKind::Choice`] metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChoiceOption {
    /// Stable machine value, lowercase snake_case.
    pub value: &'static str,
    pub label_en: &'static str,
    pub label_ko: &'static str,
}

/// What kind of answer a metric expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A decimal number in one of the dimension's accepted units. Gross
    /// emissions never allow negative values; removals are reported apart.
    Quantity {
        dimension: Dimension,
        allow_negative: bool,
    },
    /// A percentage, 0 to 100 inclusive.
    Percentage,
    /// Yes or no.
    Boolean,
    /// Free text of at most `max_chars` characters.
    Text { max_chars: usize },
    /// One of a fixed list of options.
    Choice { options: &'static [ChoiceOption] },
    /// A calendar date.
    Date,
    /// An uploaded evidence file.
    Document,
    /// A PACT footprint per product the supplier sells the requester,
    /// answered per product rather than as one value.
    ProductFootprints,
}

impl ValueKind {
    /// The stable wire name of the kind.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Quantity { .. } => "quantity",
            Self::Percentage => "percentage",
            Self::Boolean => "boolean",
            Self::Text { .. } => "text",
            Self::Choice { .. } => "choice",
            Self::Date => "date",
            Self::Document => "document",
            Self::ProductFootprints => "product_footprints",
        }
    }
}

/// One standard metric of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetricDefinition {
    /// Stable code, lowercase and dotted (`ghg.scope2.market`).
    pub code: &'static str,
    pub label_en: &'static str,
    pub label_ko: &'static str,
    pub kind: ValueKind,
    /// What to report and how, for a supplier with little ESG staff.
    pub guidance_en: &'static str,
    pub guidance_ko: &'static str,
    pub frameworks: &'static [FrameworkRef],
}

impl MetricDefinition {
    /// Whether `framework` asks for this metric.
    pub fn has_framework(&self, framework: Framework) -> bool {
        self.frameworks.iter().any(|r| r.framework == framework)
    }

    /// Case-insensitive substring match on code, English label and Korean
    /// label. Surrounding whitespace of the query is ignored; an empty query
    /// matches every metric.
    pub fn matches_text(&self, query: &str) -> bool {
        let query = query.trim().to_lowercase();
        [self.code, self.label_en, self.label_ko]
            .into_iter()
            .any(|field| field.to_lowercase().contains(&query))
    }
}

/// The metric asking for a footprint per product.
pub const PRODUCT_FOOTPRINTS: &str = "pcf.product_footprints";

/// The whole standard catalogue, ordered by code.
pub fn catalogue() -> &'static [MetricDefinition] {
    CATALOGUE
}

/// The standard metric with this exact code.
pub fn find(code: &str) -> Option<&'static MetricDefinition> {
    CATALOGUE
        .binary_search_by(|metric| metric.code.cmp(code))
        .ok()
        .and_then(|index| CATALOGUE.get(index))
}

const fn fr(framework: Framework, reference: &'static str) -> FrameworkRef {
    FrameworkRef {
        framework,
        reference,
    }
}

const fn opt(value: &'static str, label_en: &'static str, label_ko: &'static str) -> ChoiceOption {
    ChoiceOption {
        value,
        label_en,
        label_ko,
    }
}

const fn quantity(dimension: Dimension) -> ValueKind {
    ValueKind::Quantity {
        dimension,
        allow_negative: false,
    }
}

use Framework::{Cbam, Csddd, Esrs, GhgProtocol, Kesg, Pact};

const PRODUCTION_ROUTES: &[ChoiceOption] = &[
    opt(
        "bf_bof",
        "Blast furnace – basic oxygen furnace (BF-BOF)",
        "고로-전로 (BF-BOF)",
    ),
    opt(
        "dri_eaf",
        "Direct reduced iron – electric arc furnace (DRI-EAF)",
        "직접환원철-전기로 (DRI-EAF)",
    ),
    opt(
        "scrap_eaf",
        "Scrap – electric arc furnace (scrap EAF)",
        "철스크랩-전기로 (Scrap EAF)",
    ),
    opt(
        "smelting_reduction",
        "Smelting reduction (e.g. FINEX)",
        "용융환원 (예: FINEX)",
    ),
    opt(
        "aluminium_primary",
        "Primary aluminium (electrolytic smelting)",
        "1차 알루미늄 (전해 제련)",
    ),
    opt(
        "aluminium_secondary",
        "Secondary aluminium (remelting of scrap)",
        "2차 알루미늄 (스크랩 재용해)",
    ),
    opt(
        "other",
        "Other route (describe in a comment)",
        "기타 경로 (설명 기재)",
    ),
];

const ELECTRICITY_EF_SOURCES: &[ChoiceOption] = &[
    opt(
        "grid_mix",
        "Grid mix of the country of production",
        "생산국 전력망 평균 배출계수",
    ),
    opt(
        "ppa",
        "Power purchase agreement (PPA) with a named generator",
        "전력구매계약 (PPA)",
    ),
    opt(
        "direct_connection",
        "Direct technical connection to a generator",
        "발전설비와의 직접 연결",
    ),
    opt(
        "default_value",
        "Default value published by the European Commission",
        "EU 집행위원회 기본값",
    ),
];

const VALUES_BASES: &[ChoiceOption] = &[
    opt(
        "actual",
        "Actual values monitored at the installation",
        "실제값 (생산시설 모니터링 기반)",
    ),
    opt(
        "default",
        "Default values published by the European Commission",
        "EU 집행위원회 기본값",
    ),
];

const DECLARED_UNITS: &[ChoiceOption] = &[
    opt("kilogram", "kilogram (kg)", "킬로그램 (kg)"),
    opt("liter", "litre (L)", "리터 (L)"),
    opt("cubic_meter", "cubic metre (m³)", "세제곱미터 (m³)"),
    opt("square_meter", "square metre (m²)", "제곱미터 (m²)"),
    opt("kilowatt_hour", "kilowatt hour (kWh)", "킬로와트시 (kWh)"),
    opt("megajoule", "megajoule (MJ)", "메가줄 (MJ)"),
    opt("ton_kilometer", "tonne-kilometre (tkm)", "톤킬로미터 (tkm)"),
    opt("piece", "piece (one item of the product)", "개 (제품 1개)"),
];

/// Ordered by code (byte order); `find` relies on it.
static CATALOGUE: &[MetricDefinition] = &[
    // ---- CBAM communication data (per good and installation) ----
    MetricDefinition {
        code: "cbam.carbon_price_paid",
        label_en: "Carbon price paid in the country of origin",
        label_ko: "원산지국에서 지불한 탄소가격",
        kind: quantity(Dimension::CarbonPrice),
        guidance_en: "The effective carbon price actually paid for the embedded emissions of this good in the country of production (e.g. K-ETS allowance cost), after any rebate or free allocation, converted to euro per tCO2e. Report 0 if none was paid.",
        guidance_ko: "이 제품의 내재배출량에 대해 생산국에서 실제로 지불한 탄소가격(예: K-ETS 배출권 구매 비용)을 무상할당·환급분을 제외하고 tCO2e당 유로로 환산해 입력하세요. 지불한 금액이 없으면 0을 입력하세요.",
        frameworks: &[
            fr(Cbam, "Regulation (EU) 2023/956 Art. 9"),
            fr(Cbam, "Communication template: E. Carbon price due"),
        ],
    },
    MetricDefinition {
        code: "cbam.cn_code",
        label_en: "CN code of the good",
        label_ko: "제품 CN 코드 (8자리)",
        kind: ValueKind::Text { max_chars: 8 },
        guidance_en: "The 8-digit Combined Nomenclature (CN) code of the good as declared at EU import, digits only without spaces or dots (e.g. 72085120). Ask your customer if you only know the 6-digit HS code.",
        guidance_ko: "EU 수입 시 신고되는 제품의 8자리 CN(통합품목분류) 코드를 공백이나 점 없이 숫자만 입력하세요 (예: 72085120). 6자리 HS 코드만 알고 있다면 고객사에 확인하세요.",
        frameworks: &[
            fr(Cbam, "Regulation (EU) 2023/956 Annex I"),
            fr(
                Cbam,
                "Communication template: B. Goods and production routes",
            ),
        ],
    },
    MetricDefinition {
        code: "cbam.electricity_ef_source",
        label_en: "Source of the electricity emission factor",
        label_ko: "전력 배출계수 출처",
        kind: ValueKind::Choice {
            options: ELECTRICITY_EF_SOURCES,
        },
        guidance_en: "Where the electricity emission factor comes from: the grid mix of the country, a power purchase agreement, a direct connection to a generator, or the Commission's default value. Keep the PPA or connection contract as evidence.",
        guidance_ko: "전력 배출계수의 근거를 선택하세요: 국가 전력망 평균, 전력구매계약(PPA), 발전설비 직접 연결, 또는 EU 기본값. PPA나 연결 계약서는 증빙으로 보관하세요.",
        frameworks: &[fr(Cbam, "Communication template: D. Electricity")],
    },
    MetricDefinition {
        code: "cbam.electricity_emission_factor",
        label_en: "Emission factor of the electricity consumed",
        label_ko: "소비 전력 배출계수",
        kind: quantity(Dimension::EmissionsPerEnergy),
        guidance_en: "The emission factor of the electricity used to make the good, in tCO2 per MWh (kgCO2/kWh is also accepted). Use the value matching the source you select in the next question.",
        guidance_ko: "제품 생산에 사용한 전력의 배출계수를 MWh당 tCO2로 입력하세요 (kgCO2/kWh도 가능). 배출계수 출처 항목에서 선택한 근거와 일치하는 값을 사용하세요.",
        frameworks: &[fr(Cbam, "Communication template: D. Electricity")],
    },
    MetricDefinition {
        code: "cbam.electricity_per_tonne",
        label_en: "Electricity consumed per tonne of good",
        label_ko: "제품 톤당 전력 소비량",
        kind: quantity(Dimension::EnergyPerMass),
        guidance_en: "Electricity consumed in the production process per tonne of the good, in MWh per tonne (kWh/t is also accepted). Include electricity from the grid and from your own generation.",
        guidance_ko: "제품 1톤 생산 공정에 소비한 전력량을 톤당 MWh로 입력하세요 (kWh/t도 가능). 외부 구매 전력과 자가발전 전력을 모두 포함하세요.",
        frameworks: &[fr(Cbam, "Communication template: D. Electricity")],
    },
    MetricDefinition {
        code: "cbam.installation_country",
        label_en: "Country of the installation",
        label_ko: "생산시설 소재 국가",
        kind: ValueKind::Text { max_chars: 2 },
        guidance_en: "The country where the producing installation is located, as a two-letter ISO 3166-1 code (e.g. KR).",
        guidance_ko: "제품을 생산한 시설이 있는 국가를 ISO 3166-1 두 글자 코드로 입력하세요 (예: KR).",
        frameworks: &[fr(Cbam, "Communication template: A. Installation data")],
    },
    MetricDefinition {
        code: "cbam.installation_id",
        label_en: "Installation identifier",
        label_ko: "생산시설 식별번호",
        kind: ValueKind::Text { max_chars: 100 },
        guidance_en: "The identifier of the installation that produced the good: its CBAM registry operator/installation ID if it has one, otherwise the UN/LOCODE and site name. Use the same identifier for every good from that site.",
        guidance_ko: "제품을 생산한 시설의 식별번호를 입력하세요. CBAM 등록부의 운영자·시설 ID가 있으면 그것을, 없으면 UN/LOCODE와 사업장 이름을 입력하고, 같은 사업장의 모든 제품에 동일하게 사용하세요.",
        frameworks: &[fr(Cbam, "Communication template: A. Installation data")],
    },
    MetricDefinition {
        code: "cbam.production_route",
        label_en: "Production route",
        label_ko: "생산 경로",
        kind: ValueKind::Choice {
            options: PRODUCTION_ROUTES,
        },
        guidance_en: "The production route used to make the good at this installation, e.g. blast furnace – basic oxygen furnace for steel or primary electrolysis for aluminium. Choose \"other\" and explain if none fits.",
        guidance_ko: "이 시설에서 제품을 생산한 공정 경로를 선택하세요 (예: 철강은 고로-전로, 알루미늄은 1차 전해 제련). 해당하는 경로가 없으면 '기타'를 선택하고 설명을 덧붙이세요.",
        frameworks: &[fr(
            Cbam,
            "Communication template: B. Goods and production routes",
        )],
    },
    MetricDefinition {
        code: "cbam.see_direct",
        label_en: "Specific direct embedded emissions",
        label_ko: "제품 톤당 직접 내재배출량",
        kind: quantity(Dimension::EmissionsPerMass),
        guidance_en: "Direct emissions of the production process attributed to one tonne of the good, including those of relevant precursors, in tCO2e per tonne. Do not include emissions from electricity; they go in the indirect value.",
        guidance_ko: "제품 1톤에 배분되는 생산 공정의 직접 배출량(관련 전구물질 포함)을 톤당 tCO2e로 입력하세요. 전력 사용에 따른 배출은 간접 내재배출량에 입력하세요.",
        frameworks: &[
            fr(Cbam, "Regulation (EU) 2023/956 Annex IV"),
            fr(Cbam, "Communication template: C. Embedded emissions"),
        ],
    },
    MetricDefinition {
        code: "cbam.see_indirect",
        label_en: "Specific indirect embedded emissions",
        label_ko: "제품 톤당 간접 내재배출량",
        kind: quantity(Dimension::EmissionsPerMass),
        guidance_en: "Emissions from the electricity consumed to produce one tonne of the good, in tCO2e per tonne: electricity per tonne multiplied by its emission factor.",
        guidance_ko: "제품 1톤 생산에 소비한 전력에서 발생한 배출량을 톤당 tCO2e로 입력하세요. 톤당 전력 소비량에 전력 배출계수를 곱해 계산합니다.",
        frameworks: &[
            fr(Cbam, "Regulation (EU) 2023/956 Annex IV"),
            fr(Cbam, "Communication template: C. Embedded emissions"),
        ],
    },
    MetricDefinition {
        code: "cbam.values_basis",
        label_en: "Actual or default values",
        label_ko: "내재배출량 산정 기준 (실제값/기본값)",
        kind: ValueKind::Choice {
            options: VALUES_BASES,
        },
        guidance_en: "Whether the embedded emissions you report were determined from actual monitoring at the installation or taken from the Commission's default values.",
        guidance_ko: "입력한 내재배출량이 생산시설의 실제 모니터링으로 산정한 값인지, EU 집행위원회가 공표한 기본값인지 선택하세요.",
        frameworks: &[
            fr(Cbam, "Regulation (EU) 2023/956 Art. 7"),
            fr(Cbam, "Communication template: C. Embedded emissions"),
        ],
    },
    // ---- Due diligence (CSDDD, German supply-chain act, K-ESG) ----
    MetricDefinition {
        code: "dd.environmental_policy",
        label_en: "Environmental policy in place",
        label_ko: "환경 정책 보유 여부",
        kind: ValueKind::Boolean,
        guidance_en: "Answer yes if your company has a written environmental policy approved by management. Upload it as the supporting policy document.",
        guidance_ko: "경영진이 승인한 문서화된 환경 정책이 있으면 '예'를 선택하고, 해당 문서를 정책 증빙 문서로 업로드하세요.",
        frameworks: &[fr(Csddd, "Art. 7(2)"), fr(Kesg, "E-1-1")],
    },
    MetricDefinition {
        code: "dd.grievance_mechanism",
        label_en: "Grievance mechanism in place",
        label_ko: "고충처리 제도 운영 여부",
        kind: ValueKind::Boolean,
        guidance_en: "Answer yes if workers, communities and others can raise complaints about human rights or environmental harm through a channel you run or join, and complaints are followed up.",
        guidance_ko: "근로자, 지역사회 등이 인권·환경 피해에 대해 고충을 제기할 수 있는 창구를 운영(또는 참여)하고 접수된 고충을 처리하고 있다면 '예'를 선택하세요.",
        frameworks: &[fr(Csddd, "Art. 14"), fr(Kesg, "S-3-3")],
    },
    MetricDefinition {
        code: "dd.human_rights_policy",
        label_en: "Human rights policy in place",
        label_ko: "인권 정책 보유 여부",
        kind: ValueKind::Boolean,
        guidance_en: "Answer yes if your company has a written human rights policy (e.g. covering forced and child labour, working hours, safety and non-discrimination) approved by management.",
        guidance_ko: "강제·아동노동 금지, 근로시간, 안전, 차별 금지 등을 다루는 문서화된 인권 정책을 경영진이 승인해 운영하고 있다면 '예'를 선택하세요.",
        frameworks: &[fr(Csddd, "Art. 7(2)(a)"), fr(Kesg, "S-3-1")],
    },
    MetricDefinition {
        code: "dd.human_rights_risk_assessment",
        label_en: "Human rights risk assessment carried out",
        label_ko: "인권 리스크 평가 실시 여부",
        kind: ValueKind::Boolean,
        guidance_en: "Answer yes if, in the last twelve months, you assessed the risks of human rights harm in your own operations and among your suppliers.",
        guidance_ko: "최근 12개월 이내에 자사 사업장과 협력사의 인권 침해 리스크를 평가했다면 '예'를 선택하세요.",
        frameworks: &[fr(Csddd, "Art. 8"), fr(Kesg, "S-3-2")],
    },
    MetricDefinition {
        code: "dd.policy_document",
        label_en: "Human rights and environmental policy document",
        label_ko: "인권·환경 정책 문서",
        kind: ValueKind::Document,
        guidance_en: "Upload your human rights, environmental or supplier code of conduct policy (PDF preferred). One file may cover several policies.",
        guidance_ko: "인권 정책, 환경 정책 또는 협력사 행동규범 문서를 업로드하세요 (PDF 권장). 여러 정책을 하나의 파일로 제출해도 됩니다.",
        frameworks: &[fr(Csddd, "Art. 7(2)"), fr(Kesg, "S-3-1")],
    },
    MetricDefinition {
        code: "dd.supplier_code_of_conduct",
        label_en: "Supplier code of conduct in place",
        label_ko: "협력사 행동규범 운영 여부",
        kind: ValueKind::Boolean,
        guidance_en: "Answer yes if you require your own suppliers to follow a written code of conduct on human rights and the environment, for example in contracts or purchase terms.",
        guidance_ko: "계약서나 구매 조건 등을 통해 자사 협력사에 인권·환경에 관한 문서화된 행동규범 준수를 요구하고 있다면 '예'를 선택하세요.",
        frameworks: &[fr(Csddd, "Art. 7(2)(b)"), fr(Kesg, "S-5-3")],
    },
    // ---- Energy ----
    MetricDefinition {
        code: "energy.renewable_share",
        label_en: "Share of renewable energy",
        label_ko: "재생에너지 사용 비율",
        kind: ValueKind::Percentage,
        guidance_en: "Renewable energy (own generation, PPAs, certificates such as RECs or green premium) as a percentage of your total energy consumption in the period, 0 to 100.",
        guidance_ko: "보고 기간 총 에너지 사용량 중 재생에너지(자가발전, PPA, REC·녹색프리미엄 등 인증서 포함)의 비율을 0에서 100 사이의 백분율로 입력하세요.",
        frameworks: &[fr(Esrs, "E1-5 §37(c)"), fr(Kesg, "E-2-2")],
    },
    MetricDefinition {
        code: "energy.total",
        label_en: "Total energy consumption",
        label_ko: "총 에너지 사용량",
        kind: quantity(Dimension::Energy),
        guidance_en: "All energy your company consumed in the period: fuels, purchased electricity, heat and steam, and self-generated renewables, in MWh (kWh, GJ and TJ are accepted). Use your utility bills and fuel purchase records.",
        guidance_ko: "보고 기간 동안 사용한 모든 에너지(연료, 구매 전력·열·스팀, 자가발전 재생에너지)를 MWh로 입력하세요 (kWh, GJ, TJ도 가능). 전기·가스 요금 고지서와 연료 구매 기록을 활용하세요.",
        frameworks: &[fr(Esrs, "E1-5 §37"), fr(Kesg, "E-2-1")],
    },
    // ---- Greenhouse gas emissions ----
    MetricDefinition {
        code: "ghg.scope1",
        label_en: "Direct emissions (Scope 1)",
        label_ko: "직접 배출량 (Scope 1)",
        kind: quantity(Dimension::Emissions),
        guidance_en: "Gross emissions from sources you own or control, such as fuel burned in boilers, furnaces and company vehicles, process emissions and refrigerant leaks, in tCO2e. Do not subtract offsets or removals.",
        guidance_ko: "보일러·가열로·사업장 차량의 연료 연소, 공정 배출, 냉매 누출 등 자사가 소유하거나 관리하는 배출원의 총배출량을 tCO2e로 입력하세요. 상쇄배출권이나 흡수량은 차감하지 마세요.",
        frameworks: &[
            fr(GhgProtocol, "Scope 1"),
            fr(Esrs, "E1-6 §44(a)"),
            fr(Kesg, "E-3-1"),
        ],
    },
    MetricDefinition {
        code: "ghg.scope2.location",
        label_en: "Indirect emissions from purchased energy, location-based (Scope 2)",
        label_ko: "간접 배출량 (Scope 2, 지역 기반)",
        kind: quantity(Dimension::Emissions),
        guidance_en: "Emissions from the electricity, heat and steam you bought, calculated with the average emission factor of the grid where you consume it, in tCO2e.",
        guidance_ko: "구매한 전력·열·스팀 사용량에 사용 지역 전력망의 평균 배출계수를 곱해 산정한 배출량을 tCO2e로 입력하세요.",
        frameworks: &[
            fr(GhgProtocol, "Scope 2 (location-based)"),
            fr(Esrs, "E1-6 §44(b)"),
            fr(Kesg, "E-3-1"),
        ],
    },
    MetricDefinition {
        code: "ghg.scope2.market",
        label_en: "Indirect emissions from purchased energy, market-based (Scope 2)",
        label_ko: "간접 배출량 (Scope 2, 시장 기반)",
        kind: quantity(Dimension::Emissions),
        guidance_en: "Scope 2 emissions calculated with the emission factors of the contracts you hold (PPAs, renewable certificates such as RECs or green premium) and a residual mix for the rest, in tCO2e.",
        guidance_ko: "PPA, REC·녹색프리미엄 등 재생에너지 계약·인증서의 배출계수와 나머지 전력의 잔여 배출계수를 적용해 산정한 Scope 2 배출량을 tCO2e로 입력하세요.",
        frameworks: &[
            fr(GhgProtocol, "Scope 2 (market-based)"),
            fr(Esrs, "E1-6 §44(b)"),
            fr(Kesg, "E-3-1"),
        ],
    },
    MetricDefinition {
        code: "ghg.scope3.cat1",
        label_en: "Purchased goods and services emissions (Scope 3 category 1)",
        label_ko: "구매한 제품 및 서비스 배출량 (Scope 3 카테고리 1)",
        kind: quantity(Dimension::Emissions),
        guidance_en: "Cradle-to-gate emissions of the materials, parts and services you bought in the period, in tCO2e: quantities bought multiplied by your suppliers' footprints or by database emission factors.",
        guidance_ko: "보고 기간에 구매한 원자재·부품·서비스의 원료 채취부터 출하까지(cradle-to-gate) 배출량을 tCO2e로 입력하세요. 구매량에 협력사 제품 탄소발자국이나 데이터베이스 배출계수를 곱해 산정합니다.",
        frameworks: &[
            fr(GhgProtocol, "Scope 3 Category 1"),
            fr(Esrs, "E1-6 §44(c)"),
            fr(Kesg, "E-3-2"),
        ],
    },
    MetricDefinition {
        code: "ghg.scope3.total",
        label_en: "Total other indirect emissions (Scope 3)",
        label_ko: "기타 간접 배출량 합계 (Scope 3)",
        kind: quantity(Dimension::Emissions),
        guidance_en: "Gross Scope 3 emissions across all categories you have calculated, in tCO2e. List the categories included in a comment.",
        guidance_ko: "산정한 모든 Scope 3 카테고리의 총배출량을 tCO2e로 입력하고, 포함한 카테고리를 의견란에 적어 주세요.",
        frameworks: &[
            fr(GhgProtocol, "Scope 3"),
            fr(Esrs, "E1-6 §44(c)"),
            fr(Kesg, "E-3-2"),
        ],
    },
    MetricDefinition {
        code: "ghg.verification_statement",
        label_en: "GHG verification statement",
        label_ko: "온실가스 배출량 검증 의견서",
        kind: ValueKind::Document,
        guidance_en: "Upload the statement of the third party that verified your greenhouse gas emissions (e.g. ISO 14064-3, or the verification report under the Korean emissions trading scheme), if you have one.",
        guidance_ko: "온실가스 배출량에 대한 제3자 검증 의견서(예: ISO 14064-3 검증, 배출권거래제 검증보고서)가 있으면 업로드하세요.",
        frameworks: &[
            fr(GhgProtocol, "Corporate Standard, Chapter 10"),
            fr(Kesg, "E-3-3"),
        ],
    },
    // ---- Product carbon footprint (ISO 14067 / PACT) ----
    MetricDefinition {
        code: "pcf.declared_unit",
        label_en: "Declared unit of the product carbon footprint",
        label_ko: "제품 탄소발자국 선언 단위",
        kind: ValueKind::Choice {
            options: DECLARED_UNITS,
        },
        guidance_en: "The unit of product the footprint refers to, e.g. one kilogram or one piece. Use the unit in which you sell the product to this customer.",
        guidance_ko: "탄소발자국의 기준이 되는 제품 단위(예: 1 킬로그램, 제품 1개)를 선택하세요. 이 고객사에 판매하는 단위를 사용하세요.",
        frameworks: &[fr(Pact, "pcf.declaredUnit")],
    },
    MetricDefinition {
        code: "pcf.per_declared_unit",
        label_en: "Product carbon footprint per declared unit",
        label_ko: "제품 탄소발자국 (선언 단위당)",
        kind: quantity(Dimension::EmissionsPerUnit),
        guidance_en: "Cradle-to-gate emissions of one declared unit of the product, excluding biogenic removals, in kgCO2e per unit, calculated following ISO 14067 or the PACT methodology.",
        guidance_ko: "ISO 14067 또는 PACT 방법론에 따라 산정한 제품 선언 단위 1개의 원료 채취부터 출하까지(cradle-to-gate) 배출량을 생물기원 흡수량을 제외하고 단위당 kgCO2e로 입력하세요.",
        frameworks: &[
            fr(Pact, "pcf.pCfExcludingBiogenic"),
            fr(GhgProtocol, "Product Standard"),
            fr(GhgProtocol, "Scope 3 Category 1"),
        ],
    },
    MetricDefinition {
        code: "pcf.primary_data_share",
        label_en: "Primary data share of the product carbon footprint",
        label_ko: "제품 탄소발자국 1차 데이터 비율",
        kind: ValueKind::Percentage,
        guidance_en: "The share of the footprint calculated from your own measured activity data or your suppliers' specific data rather than database averages, as a percentage from 0 to 100.",
        guidance_ko: "탄소발자국 중 데이터베이스 평균값이 아닌 자사 실측 활동자료나 협력사 고유 데이터로 산정한 부분의 비율을 0에서 100 사이의 백분율로 입력하세요.",
        frameworks: &[fr(Pact, "pcf.primaryDataShare")],
    },
    MetricDefinition {
        code: PRODUCT_FOOTPRINTS,
        label_en: "Product carbon footprints, one per product",
        label_ko: "제품별 탄소발자국",
        kind: ValueKind::ProductFootprints,
        guidance_en: "A full PACT product footprint for each product you sell this customer (each product with its part number in your catalogue). Answer each with PUT /v1/requests/{id}/footprints/{product_id}; once submitted, the customer can fetch them through the PACT API.",
        guidance_ko: "이 고객사에 판매하는 각 제품(카탈로그에 고객사 품번이 등록된 제품)마다 PACT 제품 탄소발자국을 입력하세요. PUT /v1/requests/{id}/footprints/{product_id}로 제품별로 답하며, 제출하면 고객사가 PACT API로 받아 갈 수 있습니다.",
        frameworks: &[fr(Pact, "ProductFootprint")],
    },
    // ---- Targets ----
    MetricDefinition {
        code: "target.ghg_reduction",
        label_en: "GHG emission reduction target (% against base year)",
        label_ko: "온실가스 감축 목표 (기준연도 대비 %)",
        kind: ValueKind::Percentage,
        guidance_en: "The reduction of your Scope 1 and 2 emissions you have committed to, as a percentage of base-year emissions (e.g. 40 for a 40% cut). Give the base year and target year in the next questions.",
        guidance_ko: "약속한 Scope 1·2 배출량 감축 목표를 기준연도 배출량 대비 백분율로 입력하세요 (예: 40% 감축이면 40). 기준연도와 목표연도는 다음 항목에 입력하세요.",
        frameworks: &[
            fr(Esrs, "E1-4 §34"),
            fr(Csddd, "Art. 22(1)(a)"),
            fr(Kesg, "E-1-1"),
        ],
    },
    MetricDefinition {
        code: "target.ghg_reduction_base_year",
        label_en: "Base year of the GHG reduction target",
        label_ko: "온실가스 감축 목표 기준연도",
        kind: ValueKind::Text { max_chars: 4 },
        guidance_en: "The year whose emissions the reduction target is measured against, as four digits (e.g. 2020).",
        guidance_ko: "감축 목표의 비교 기준이 되는 연도를 네 자리 숫자로 입력하세요 (예: 2020).",
        frameworks: &[fr(Esrs, "E1-4 §34"), fr(Kesg, "E-1-1")],
    },
    MetricDefinition {
        code: "target.ghg_reduction_target_year",
        label_en: "Target year of the GHG reduction target",
        label_ko: "온실가스 감축 목표연도",
        kind: ValueKind::Text { max_chars: 4 },
        guidance_en: "The year by which the reduction target is to be achieved, as four digits (e.g. 2030).",
        guidance_ko: "감축 목표를 달성하기로 한 연도를 네 자리 숫자로 입력하세요 (예: 2030).",
        frameworks: &[
            fr(Esrs, "E1-4 §34"),
            fr(Csddd, "Art. 22(1)(a)"),
            fr(Kesg, "E-1-1"),
        ],
    },
    // ---- Waste and water ----
    MetricDefinition {
        code: "waste.generated",
        label_en: "Total waste generated",
        label_ko: "폐기물 발생량",
        kind: quantity(Dimension::Mass),
        guidance_en: "All waste your sites generated in the period, hazardous and non-hazardous, in tonnes (kg is accepted). Use your waste contractors' weighing slips or the Allbaro records.",
        guidance_ko: "보고 기간 동안 사업장에서 발생한 모든 폐기물(지정폐기물 포함)을 톤 단위로 입력하세요 (kg도 가능). 위탁 처리업체 계량표나 올바로시스템 기록을 활용하세요.",
        frameworks: &[fr(Esrs, "E5-5 §37(a)"), fr(Kesg, "E-5-1")],
    },
    MetricDefinition {
        code: "waste.hazardous",
        label_en: "Hazardous waste generated",
        label_ko: "지정폐기물 발생량",
        kind: quantity(Dimension::Mass),
        guidance_en: "The part of your waste classified as hazardous (in Korea, designated waste) generated in the period, in tonnes (kg is accepted).",
        guidance_ko: "보고 기간 동안 발생한 폐기물 중 지정폐기물(유해폐기물)의 양을 톤 단위로 입력하세요 (kg도 가능).",
        frameworks: &[fr(Esrs, "E5-5 §39"), fr(Kesg, "E-5-1")],
    },
    MetricDefinition {
        code: "water.withdrawal",
        label_en: "Water withdrawal",
        label_ko: "용수 취수량",
        kind: quantity(Dimension::Volume),
        guidance_en: "All water your sites took in during the period from mains supply, groundwater and surface water, in cubic metres (litres are accepted). Use your water bills and meter readings.",
        guidance_ko: "보고 기간 동안 상수도, 지하수, 지표수 등에서 사업장으로 끌어온 모든 용수량을 세제곱미터(m³)로 입력하세요 (리터도 가능). 수도 요금 고지서와 계량기 기록을 활용하세요.",
        frameworks: &[fr(Esrs, "E3-4"), fr(Kesg, "E-4-1")],
    },
];

#[cfg(test)]
mod tests {
    use super::{
        CATALOGUE_VERSION, Dimension, Framework, VALUES_BASES, ValueKind, catalogue, find, quantity,
    };

    #[test]
    fn codes_are_unique_sorted_lowercase_and_dotted() {
        for pair in catalogue().windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} must sort before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for metric in catalogue() {
            assert!(metric.code.contains('.'), "{} is not dotted", metric.code);
            assert!(
                metric
                    .code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'),
                "{} has characters outside [a-z0-9_.]",
                metric.code
            );
            assert!(
                !metric.code.starts_with('.')
                    && !metric.code.ends_with('.')
                    && !metric.code.contains("..")
            );
        }
    }

    #[test]
    fn every_metric_is_labelled_guided_and_referenced() {
        for metric in catalogue() {
            for (what, text) in [
                ("label_en", metric.label_en),
                ("label_ko", metric.label_ko),
                ("guidance_en", metric.guidance_en),
                ("guidance_ko", metric.guidance_ko),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {what}", metric.code);
            }
            assert!(
                metric.label_ko.chars().any(|c| ('가'..='힣').contains(&c)),
                "{}: the Korean label has no Hangul",
                metric.code
            );
            assert!(
                metric
                    .guidance_ko
                    .chars()
                    .any(|c| ('가'..='힣').contains(&c)),
                "{}: the Korean guidance has no Hangul",
                metric.code
            );
            assert!(
                !metric.frameworks.is_empty(),
                "{}: no framework reference",
                metric.code
            );
            for reference in metric.frameworks {
                assert!(
                    !reference.reference.trim().is_empty(),
                    "{}: empty reference",
                    metric.code
                );
                assert!(metric.has_framework(reference.framework));
            }
        }
    }

    #[test]
    fn find_finds_each_code_and_nothing_else() {
        for metric in catalogue() {
            let found = find(metric.code).expect("every catalogue code is found");
            assert_eq!(found, metric);
        }
        for unknown in [
            "",
            "ghg",
            "ghg.scope4",
            "GHG.SCOPE1",
            " ghg.scope1",
            "ghg.scope1 ",
            "zzz.last",
            "aaa.first",
        ] {
            assert!(find(unknown).is_none(), "{unknown:?} should not be found");
        }
    }

    #[test]
    fn required_metrics_are_present_with_the_right_kind() {
        let emissions = ValueKind::Quantity {
            dimension: Dimension::Emissions,
            allow_negative: false,
        };
        let expected = [
            ("ghg.scope1", emissions),
            ("ghg.scope2.location", emissions),
            ("ghg.scope2.market", emissions),
            ("ghg.scope3.cat1", emissions),
            ("ghg.scope3.total", emissions),
            ("energy.total", quantity(Dimension::Energy)),
            ("energy.renewable_share", ValueKind::Percentage),
            ("water.withdrawal", quantity(Dimension::Volume)),
            ("waste.generated", quantity(Dimension::Mass)),
            (
                "pcf.per_declared_unit",
                quantity(Dimension::EmissionsPerUnit),
            ),
            ("cbam.see_direct", quantity(Dimension::EmissionsPerMass)),
            ("cbam.see_indirect", quantity(Dimension::EmissionsPerMass)),
            (
                "cbam.electricity_per_tonne",
                quantity(Dimension::EnergyPerMass),
            ),
            (
                "cbam.electricity_emission_factor",
                quantity(Dimension::EmissionsPerEnergy),
            ),
            ("cbam.carbon_price_paid", quantity(Dimension::CarbonPrice)),
            ("target.ghg_reduction", ValueKind::Percentage),
            ("dd.human_rights_policy", ValueKind::Boolean),
            ("dd.environmental_policy", ValueKind::Boolean),
            ("dd.supplier_code_of_conduct", ValueKind::Boolean),
            ("dd.policy_document", ValueKind::Document),
        ];
        for (code, kind) in expected {
            let metric = find(code).expect("required metric is in the catalogue");
            assert_eq!(metric.kind, kind, "{code}");
        }
        for code in [
            "cbam.cn_code",
            "cbam.installation_id",
            "cbam.production_route",
            "cbam.electricity_ef_source",
            "cbam.values_basis",
        ] {
            let metric = find(code).expect("required CBAM metric is in the catalogue");
            assert!(metric.has_framework(Framework::Cbam), "{code}");
        }
        let cn = find("cbam.cn_code").expect("cn code");
        assert_eq!(cn.kind, ValueKind::Text { max_chars: 8 });
        assert!(cn.guidance_en.contains("8-digit"));
        assert!(cn.guidance_ko.contains("8자리"));
    }

    #[test]
    fn choices_have_the_expected_options() {
        let values = |code: &str| -> Vec<&'static str> {
            match find(code).expect("choice metric").kind {
                ValueKind::Choice { options } => options.iter().map(|o| o.value).collect(),
                other => panic!("{code} is {}, not a choice", other.as_str()),
            }
        };
        let routes = values("cbam.production_route");
        for route in ["bf_bof", "dri_eaf", "scrap_eaf", "other"] {
            assert!(routes.contains(&route), "missing route {route}");
        }
        assert_eq!(
            values("cbam.electricity_ef_source"),
            ["grid_mix", "ppa", "direct_connection", "default_value"]
        );
        assert_eq!(values("cbam.values_basis"), ["actual", "default"]);
    }

    #[test]
    fn choice_options_are_well_formed_and_unique() {
        for metric in catalogue() {
            if let ValueKind::Choice { options } = metric.kind {
                assert!(!options.is_empty(), "{}", metric.code);
                for (index, option) in options.iter().enumerate() {
                    assert!(
                        !option.value.is_empty()
                            && option
                                .value
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                        "{}: bad option value {:?}",
                        metric.code,
                        option.value
                    );
                    assert!(
                        !option.label_en.trim().is_empty() && !option.label_ko.trim().is_empty()
                    );
                    assert!(
                        options[..index]
                            .iter()
                            .all(|earlier| earlier.value != option.value),
                        "{}: duplicate option {}",
                        metric.code,
                        option.value
                    );
                }
            }
        }
    }

    #[test]
    fn gross_quantities_never_allow_negative_values() {
        for metric in catalogue() {
            if let ValueKind::Quantity { allow_negative, .. } = metric.kind {
                assert!(!allow_negative, "{} is a gross quantity", metric.code);
            }
            if let ValueKind::Text { max_chars } = metric.kind {
                assert!(max_chars > 0, "{}", metric.code);
            }
        }
    }

    #[test]
    fn framework_parse_round_trips() {
        for framework in Framework::ALL {
            assert_eq!(Framework::parse(framework.as_str()), Some(framework));
        }
        let names: Vec<&str> = Framework::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(
            names,
            ["ghg_protocol", "esrs", "cbam", "k_esg", "pact", "csddd"]
        );
        for unknown in ["", "GHG_PROTOCOL", "kesg", "ghg protocol", "esrs "] {
            assert_eq!(Framework::parse(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn dimension_parse_round_trips() {
        for dimension in Dimension::ALL {
            assert_eq!(Dimension::parse(dimension.as_str()), Some(dimension));
        }
        assert_eq!(
            Dimension::parse("emissions_per_mass"),
            Some(Dimension::EmissionsPerMass)
        );
        for unknown in ["", "Emissions", "tCO2e", "emissions per mass"] {
            assert_eq!(Dimension::parse(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn canonical_unit_comes_first_and_units_are_unique() {
        let canonical = [
            (Dimension::Emissions, "tCO2e"),
            (Dimension::Energy, "MWh"),
            (Dimension::Mass, "t"),
            (Dimension::Volume, "m3"),
            (Dimension::EmissionsPerMass, "tCO2e/t"),
            (Dimension::EnergyPerMass, "MWh/t"),
            (Dimension::EmissionsPerEnergy, "tCO2/MWh"),
            (Dimension::CarbonPrice, "EUR/tCO2e"),
            (Dimension::EmissionsPerUnit, "kgCO2e/unit"),
        ];
        assert_eq!(canonical.len(), Dimension::ALL.len());
        for (dimension, unit) in canonical {
            assert_eq!(dimension.canonical_unit(), unit);
            assert_eq!(dimension.accepted_units().first(), Some(&unit));
            let units = dimension.accepted_units();
            for (index, unit) in units.iter().enumerate() {
                assert!(
                    !units[..index].contains(unit),
                    "{unit} listed twice for {}",
                    dimension.as_str()
                );
            }
        }
    }

    #[test]
    fn value_kind_names() {
        let kinds = [
            (quantity(Dimension::Mass), "quantity"),
            (ValueKind::Percentage, "percentage"),
            (ValueKind::Boolean, "boolean"),
            (ValueKind::Text { max_chars: 1 }, "text"),
            (
                ValueKind::Choice {
                    options: VALUES_BASES,
                },
                "choice",
            ),
            (ValueKind::Date, "date"),
            (ValueKind::Document, "document"),
        ];
        for (kind, name) in kinds {
            assert_eq!(kind.as_str(), name);
        }
    }

    #[test]
    fn matches_text_searches_code_and_both_labels() {
        let scope1 = find("ghg.scope1").expect("scope 1");
        assert!(scope1.matches_text("scope 1"));
        assert!(scope1.matches_text("SCOPE 1"));
        assert!(scope1.matches_text("ghg.scope1"));
        assert!(scope1.matches_text("직접 배출"));
        assert!(!scope1.matches_text("water"));

        let hits: Vec<&str> = catalogue()
            .iter()
            .filter(|m| m.matches_text("scope 1"))
            .map(|m| m.code)
            .collect();
        assert_eq!(hits, ["ghg.scope1"]);

        let korean: Vec<&str> = catalogue()
            .iter()
            .filter(|m| m.matches_text("배출"))
            .map(|m| m.code)
            .collect();
        for code in [
            "ghg.scope1",
            "ghg.scope2.location",
            "ghg.scope2.market",
            "ghg.scope3.cat1",
            "cbam.see_direct",
        ] {
            assert!(korean.contains(&code), "배출 should find {code}");
        }
        assert!(!korean.contains(&"water.withdrawal"));

        let cbam: Vec<&str> = catalogue()
            .iter()
            .filter(|m| m.matches_text("CBAM"))
            .map(|m| m.code)
            .collect();
        assert!(cbam.iter().all(|code| code.starts_with("cbam.")) && cbam.len() >= 10);
    }

    #[test]
    fn has_framework_filters() {
        let cat1 = find("ghg.scope3.cat1").expect("cat 1");
        assert!(cat1.has_framework(Framework::GhgProtocol));
        assert!(cat1.has_framework(Framework::Esrs));
        assert!(!cat1.has_framework(Framework::Cbam));
        for framework in Framework::ALL {
            assert!(
                catalogue().iter().any(|m| m.has_framework(framework)),
                "no metric references {}",
                framework.as_str()
            );
        }
    }

    #[test]
    fn catalogue_version_is_set() {
        assert_eq!(CATALOGUE_VERSION, "2026.1");
    }
}
