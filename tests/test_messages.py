"""County staff read Simplified Chinese: messages are Chinese unless the phone asks for English."""


def test_errors_are_chinese_by_default_and_english_on_request(client):
    body = "{not json"
    chinese = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert chinese.status_code == 400
    assert chinese.get_json()["message"] == "请求体不是有效的 JSON。"

    english = client.post("/api/v1/auth/token", data=body, content_type="application/json",
                          headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.get_json()["message"] == "The request body is not valid JSON."

    # a browser on a Chinese phone
    zh_cn = client.post("/api/v1/auth/token", data=body, content_type="application/json",
                        headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert zh_cn.get_json()["message"] == "请求体不是有效的 JSON。"


def test_a_message_with_a_value_keeps_it_in_both_languages(client):
    chinese = client.post("/api/v1/auth/token", data="x=1", content_type="text/plain")
    assert chinese.status_code == 415
    assert chinese.get_json()["message"] == ("请求体请用 application/json 发送（收到的是 text/plain）；"
                                             "照片用 multipart/form-data 上传。")
    english = client.post("/api/v1/auth/token", data="x=1", content_type="text/plain",
                          headers={"Accept-Language": "en"})
    assert "got text/plain" in english.get_json()["message"]


# ---------------------------------------------------------------- every message, both languages

def test_every_message_in_the_code_has_its_chinese_in_the_catalogue():
    """What `make messages` would extract (every _() and lazy_() of backend, mobile_api and
    workers, the libraries' messages included) must each have a Chinese msgstr."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    with open(root / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    in_code = {message[2] if isinstance(message[2], str) else message[2][0]
               for message in extract_from_dir(str(root), method_map, options_map,
                                               keywords={"_": None, "lazy_": None})}
    with open(root / "backend/translations/zh/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = {m.id: m.string for m in read_po(po) if m.id}
    assert len(in_code) > 150
    untranslated = sorted(m for m in in_code if not catalogue.get(m))
    assert untranslated == [], "run `make messages` and fill in the msgstr of:\n" + "\n".join(untranslated)


def test_library_messages_are_chinese_by_default_and_english_on_request(client, api):
    zh = client.post("/api/v1/auth/token", json={"password": "x", "extra": 1}).get_json()["errors"]
    assert zh == {"username": ["缺少必填字段。"], "extra": ["未知字段。"]}
    en = client.post("/api/v1/auth/token", json={"password": "x", "extra": 1},
                     headers={"Accept-Language": "en"}).get_json()["errors"]
    assert en == {"username": ["Missing data for required field."], "extra": ["Unknown field."]}

    bad = api.get("/api/v1/mobile/sync?limit=0", as_="inspector1").get_json()["errors"]
    assert bad == {"limit": ["必须大于或等于 1，且小于或等于 1000。"]}
    assert api.get("/api/v1/tickets?status=lost", as_="office").get_json()["errors"]["status"][0].startswith("必须是以下之一：")
    assert api.post("/api/v1/routing/rules", as_="admin", json={"name": "x" * 201, "department_code": "transport"}
                    ).get_json()["errors"]["name"] == ["长度须在 1 到 200 之间。"]

    assert client.get("/api/v1/nowhere").get_json()["message"] == "此处没有内容，请检查网址（接口说明见 /docs）。"
    assert "not take that method" in client.delete("/api/v1/me", headers={"Accept-Language": "en"}).get_json()["message"]


def test_domain_messages_keep_their_values_in_both_languages(api, submit, run_jobs):
    ticket_id = submit().get_json()["ticket_id"]
    zh = api.post(f"/api/v1/tickets/{ticket_id}/resolve", as_="office", json={"note": "x"})
    assert zh.status_code == 403 and "department" in zh.get_json()["message"] and "需要" in zh.get_json()["message"]
    missing = api.get("/api/v1/tickets/0123456789abcdef01234567", as_="office").get_json()["message"]
    assert missing == "没有您可查看的工单 0123456789abcdef01234567。"
    run_jobs()
    api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={})
    again = api.client.post(f"/api/v1/tickets/{ticket_id}/claim", json={},
                            headers={**api.headers("dept-transport"), "Accept-Language": "en"})
    assert again.get_json()["message"] == "Cannot claim a ticket that is claimed; allowed only from: dispatched."
    zh_again = api.post(f"/api/v1/tickets/{ticket_id}/claim", as_="dept-transport", json={}).get_json()["message"]
    assert zh_again == "工单当前为「办理中」，不能签收（仅在「已派单」时可以）。"
