"""The console's message catalog: Japanese first, English on request (?lang=en, kept in a
cookie). A missing English message falls back to the Japanese one."""

from starlette.requests import Request

LANG_COOKIE = "renkei_lang"
LANGUAGES = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "app": {"ja": "Renkei データ連携基盤", "en": "Renkei data-linkage base"},
    "home": {"ja": "ホーム", "en": "Home"},
    "tenants": {"ja": "テナント", "en": "Tenants"},
    "clients": {"ja": "クライアントとスコープ", "en": "Clients and scopes"},
    "sign_out": {"ja": "サインアウト", "en": "Sign out"},
    "signed_in_as": {"ja": "サインイン中", "en": "Signed in as"},
    "role": {"ja": "役割", "en": "Role"},
    "tenants_of_user": {"ja": "担当テナント", "en": "Tenants"},
    "all_tenants": {"ja": "すべてのテナント", "en": "every tenant"},
    "id": {"ja": "ID", "en": "ID"},
    "code": {"ja": "団体コード", "en": "Municipality code"},
    "kind": {"ja": "種別", "en": "Kind"},
    "name_ja": {"ja": "名称（日本語）", "en": "Name (Japanese)"},
    "name_en": {"ja": "名称（英語）", "en": "Name (English)"},
    "name": {"ja": "名称", "en": "Name"},
    "active": {"ja": "有効", "en": "Active"},
    "yes": {"ja": "はい", "en": "yes"},
    "no": {"ja": "いいえ", "en": "no"},
    "scopes": {"ja": "スコープ", "en": "Scopes"},
    "new_tenant": {"ja": "テナントを登録", "en": "Register a tenant"},
    "new_client": {"ja": "クライアントを登録", "en": "Register a client"},
    "register": {"ja": "登録", "en": "Register"},
    "created": {"ja": "登録しました", "en": "Registered"},
    "client_secret_once": {
        "ja": "クライアントシークレット（この画面でのみ表示されます）",
        "en": "Client secret (shown only on this page)",
    },
    "forbidden": {
        "ja": "このページを表示する権限がありません。",
        "en": "You are not allowed to open this page.",
    },
    "not_found": {"ja": "見つかりません。", "en": "Not found."},
    "expired_form": {
        "ja": "フォームの有効期限が切れました。もう一度お試しください。",
        "en": "The form has expired. Please try again.",
    },
    "error": {"ja": "エラー", "en": "Error"},
    "language": {"ja": "English", "en": "日本語"},
    "audit": {"ja": "監査ログ", "en": "Audit log"},
    "usage": {"ja": "利用状況（テナント・月別）", "en": "Usage per tenant and month"},
    "verify": {"ja": "改ざん検証を実行", "en": "Verify the log"},
    "chain_intact": {
        "ja": "すべてのチェーンは改ざんされていません。",
        "en": "Every chain is intact.",
    },
    "chain_broken": {"ja": "改ざんまたは欠落が見つかりました。", "en": "A chain is broken."},
    "unsealed": {"ja": "未封印", "en": "unsealed"},
    "records": {"ja": "記録数", "en": "Records"},
    "checkpoints": {"ja": "チェックポイント", "en": "Checkpoints"},
    "first_break": {"ja": "最初の不整合", "en": "First break"},
    "problems": {"ja": "問題", "en": "Problems"},
    "search": {"ja": "検索", "en": "Search"},
    "download_csv": {"ja": "CSVでダウンロード", "en": "Download CSV"},
    "next_page": {"ja": "次のページ", "en": "Next page"},
    "month": {"ja": "月", "en": "Month"},
    "f_tenant": {"ja": "テナント", "en": "Tenant"},
    "f_client": {"ja": "クライアント", "en": "Client"},
    "f_method": {"ja": "メソッド", "en": "Method"},
    "f_status": {"ja": "ステータス", "en": "Status"},
    "f_from": {"ja": "開始日時（UTC）", "en": "From (UTC)"},
    "f_to": {"ja": "終了日時（UTC）", "en": "To (UTC)"},
    "f_kind": {"ja": "種類", "en": "Kind"},
    "f_time": {"ja": "日時", "en": "Time"},
    "f_route": {"ja": "ルート", "en": "Route"},
    "grants": {"ja": "データ共有の許可", "en": "Sharing grants"},
    "grantee": {"ja": "許可先", "en": "Grantee"},
    "entity_types": {"ja": "エンティティ型", "en": "Entity types"},
    "all_types": {"ja": "すべての型", "en": "every type"},
    "created_at": {"ja": "作成日時", "en": "Created"},
    "subscriptions": {"ja": "サブスクリプション", "en": "Subscriptions"},
    "status": {"ja": "状態", "en": "Status"},
    "delivery": {"ja": "通知", "en": "Delivery"},
    "delivery_ok": {"ja": "正常", "en": "ok"},
    "delivery_failed": {"ja": "失敗中", "en": "failing"},
    "times_sent": {"ja": "送信数", "en": "Sent"},
    "times_failed": {"ja": "失敗数", "en": "Failed"},
    "last_failure": {"ja": "最終失敗", "en": "Last failure"},
    "users": {"ja": "利用者", "en": "People"},
    "new_user": {"ja": "利用者を登録", "en": "Add a person"},
    "locked": {"ja": "ロック期限", "en": "Locked until"},
    "first_password": {
        "ja": "初期パスワード（12文字以上）",
        "en": "First password (12+ characters)",
    },
    "municipality": {"ja": "市町村", "en": "Municipality"},
    "prefecture": {"ja": "都道府県", "en": "Prefecture"},
    "shared": {"ja": "共有", "en": "Shared"},
}


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return asked if asked in LANGUAGES else "ja"


def translate(lang: str, key: str) -> str:
    entry = MESSAGES[key]
    return entry.get(lang) or entry["ja"]
