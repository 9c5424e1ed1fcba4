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
